// Placeholder until the rule language lands (docs/segments.md).
