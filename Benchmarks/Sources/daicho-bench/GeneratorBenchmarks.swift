import DaichoWorkload

/// `generate`: lines per second of the workload generator, writing into a reused 1 MiB buffer.
func registerGeneratorBenchmarks(_ h: inout Harness, workload: Workload) {
    h.add("generate", unit: "lines/s", target: 1_000_000) {
        var generator = WorkloadGenerator(workload.config)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20 + 4096)
        var checksum = 0
        while generator.nextLine(into: &buffer) {
            if buffer.count >= 1 << 20 {
                checksum &+= Int(buffer[buffer.count - 2])
                buffer.removeAll(keepingCapacity: true)
            }
        }
        blackHole(checksum)
        return generator.stats.lines
    }
}
