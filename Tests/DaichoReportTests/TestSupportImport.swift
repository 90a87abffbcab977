@_exported import DaichoTestSupport
