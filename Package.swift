// swift-tools-version:6.0
// Daicho: an event-sourced customer data platform. Foundation and libzstd only.
import PackageDescription

let package = Package(
    name: "Daicho",
    products: [
        .library(name: "DaichoLog", targets: ["DaichoLog"]),
        .library(name: "DaichoJSON", targets: ["DaichoJSON"]),
        .library(name: "Daicho", targets: ["Daicho"]),
        .library(name: "DaichoProjections", targets: ["DaichoProjections"]),
        .library(name: "DaichoSegments", targets: ["DaichoSegments"]),
        .library(name: "DaichoWorkload", targets: ["DaichoWorkload"]),
        .library(name: "DaichoHTTP", targets: ["DaichoHTTP"]),
        .library(name: "DaichoSegmentSpec", targets: ["DaichoSegmentSpec"]),
        .library(name: "DaichoServer", targets: ["DaichoServer"]),
        .library(name: "DaichoConsole", targets: ["DaichoConsole"]),
        .library(name: "DaichoReport", targets: ["DaichoReport"]),
        .executable(name: "daicho", targets: ["daicho"]),
    ],
    targets: [
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]
        ),
        // The storage engine: frames, segments, offsets, times, recovery. Knows nothing of customers.
        .target(name: "DaichoLog", dependencies: ["CZstd"]),
        // Byte-level JSON reader and RFC 3339 parser for the ingest hot path.
        .target(name: "DaichoJSON"),
        // Event model, binary codec, normalization, validation, ingest, export.
        .target(name: "Daicho", dependencies: ["DaichoLog", "DaichoJSON"]),
        // A cache prefetch hint (a compiler builtin Swift does not expose) for the replay's apply loop.
        .target(name: "CPrefetch"),
        // Projections: identity graph, customer profiles, snapshots, replay (docs/identity.md, docs/profile.md).
        .target(name: "DaichoProjections", dependencies: ["Daicho", "CPrefetch"]),
        // Real-time segments: rule language, windowed aggregates, memberships, change feed (docs/segments.md).
        .target(name: "DaichoSegments", dependencies: ["Daicho", "DaichoProjections"]),
        // Deterministic generator of realistic touchpoint workloads (demo and benchmarks).
        .target(name: "DaichoWorkload", dependencies: ["DaichoJSON"]),
        // HTTP/1.1 over POSIX sockets, chunked bodies, gzip (docs/http-api.md). Knows nothing of customers.
        .target(name: "DaichoHTTP", dependencies: ["DaichoJSON"]),
        // Segment and RudderStack messages mapped onto Daicho's envelope (docs/segment-compatibility.md).
        .target(name: "DaichoSegmentSpec", dependencies: ["Daicho", "DaichoJSON"]),
        // The web console's HTML, CSS and JavaScript (docs/console.md), plain files embedded in the binary (C23 #embed).
        .target(name: "DaichoConsole", exclude: ["Assets"]),
        // The server's routes over the library: ingest with group commit, profiles, segments, feed (docs/http-api.md).
        .target(name: "DaichoServer", dependencies: ["Daicho", "DaichoProjections", "DaichoSegments", "DaichoHTTP", "DaichoSegmentSpec", "DaichoLog", "DaichoConsole"]),
        // The dashboard object rendered as one self-contained, printable HTML file with inline SVG (docs/console.md).
        .target(name: "DaichoReport", dependencies: ["DaichoJSON"]),
        .executableTarget(name: "daicho", dependencies: ["DaichoReport", "Daicho", "DaichoProjections", "DaichoSegments", "DaichoWorkload", "DaichoServer", "DaichoHTTP", "DaichoSegmentSpec"]),
        // Seeded generator and temporary directories shared by the test targets.
        .target(name: "DaichoTestSupport", path: "Tests/DaichoTestSupport"),
        .testTarget(name: "DaichoLogTests", dependencies: ["DaichoLog", "DaichoTestSupport"]),
        .testTarget(name: "DaichoJSONTests", dependencies: ["DaichoJSON", "DaichoTestSupport"]),
        .testTarget(name: "DaichoTests", dependencies: ["Daicho", "DaichoWorkload", "DaichoTestSupport"]),
        .testTarget(name: "DaichoProjectionsTests", dependencies: ["DaichoProjections", "DaichoWorkload", "DaichoTestSupport"]),
        .testTarget(name: "DaichoSegmentsTests", dependencies: ["DaichoSegments", "DaichoWorkload", "DaichoTestSupport"]),
        .testTarget(name: "DaichoHTTPTests", dependencies: ["DaichoHTTP", "DaichoTestSupport"]),
        .testTarget(name: "DaichoSegmentSpecTests", dependencies: ["DaichoSegmentSpec", "Daicho", "DaichoTestSupport"]),
        .testTarget(name: "DaichoServerTests", dependencies: ["DaichoServer", "Daicho", "DaichoJSON", "DaichoProjections", "DaichoSegments", "DaichoTestSupport"]),
        .testTarget(name: "DaichoReportTests", dependencies: ["DaichoReport", "DaichoJSON", "DaichoTestSupport"]),
        .testTarget(name: "DaichoCLITests", dependencies: ["DaichoTestSupport", "DaichoHTTP"]),
    ]
)
