// swift-tools-version:6.0
// Benchmarks for Daicho, kept out of the product package (swift-nio's and swift-collections' layout).
// Build and run from the repository root: `make bench` or `make bench BENCH_ARGS="--events 100000"`.
import PackageDescription

let package = Package(
    name: "DaichoBenchmarks",
    dependencies: [
        // The name keeps the product references stable whatever the checkout directory is called.
        .package(name: "Daicho", path: "../")
    ],
    targets: [
        .executableTarget(
            name: "daicho-bench",
            dependencies: [
                .product(name: "DaichoWorkload", package: "Daicho"),
                .product(name: "Daicho", package: "Daicho"),
                .product(name: "DaichoLog", package: "Daicho"),
                .product(name: "DaichoProjections", package: "Daicho"),
                .product(name: "DaichoSegments", package: "Daicho"),
                .product(name: "DaichoHTTP", package: "Daicho"),
            ]
        )
    ]
)
