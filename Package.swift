// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "LSTMLab",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lstmlab", targets: ["lstmlab"]),
        .executable(name: "lstmlab-benchmark", targets: ["lstmlab-benchmark"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swiftcsv/SwiftCSV", from: "0.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // Univariate series, the supervised framing of the study, scaling and scores.
        .target(
            name: "TimeSeries",
            dependencies: [.product(name: "SwiftCSV", package: "SwiftCSV")],
            resources: [.copy("Resources/shampoo-sales.csv")]
        ),
        // The LSTM + Dense network, its gradients, penalties, Adam and Keras initializers.
        .target(name: "Network"),
        // Run configurations, presets, the trainer of one run and the runner of many.
        .target(name: "Experiment", dependencies: ["TimeSeries", "Network"]),
        // Statistics, curve diagnostics, SVG charts and markdown notebooks.
        // libhdf5, imported as a system library with a thin shim for its macros.
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        // The SQLite archive of runs and the HDF5 checkpoints of their weights.
        .target(
            name: "Archive",
            dependencies: [
                "TimeSeries", "Network", "Experiment", "CHDF5",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(name: "Analysis", dependencies: ["TimeSeries", "Network", "Experiment", "Archive"]),
        // The commands of `lstmlab`, one file each; a library so tests can run them in-process.
        .target(
            name: "LSTMLabCLI",
            dependencies: [
                "TimeSeries", "Network", "Experiment", "Archive", "Analysis",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "lstmlab", dependencies: ["LSTMLabCLI"]),
        // Wall-clock benchmarks of the engine (and the archive), run in release mode.
        .executableTarget(
            name: "lstmlab-benchmark",
            dependencies: [
                "TimeSeries", "Network", "Experiment", "Archive",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "LSTMLabTests",
            dependencies: [
                "TimeSeries", "Network", "Experiment", "Archive", "Analysis", "LSTMLabCLI",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            resources: [.copy("Fixtures")],
        ),
    ],
    swiftLanguageModes: [.v6]
)
