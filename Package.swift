// swift-tools-version: 6.1
import PackageDescription

/// The engine is compiled three times, from one generic source (`NeuralNetwork`): for any CPU (one run per `Double`),
/// and, on x86-64, for Haswell (x86-64-v3, AVX2: 4 runs per register) and Skylake-AVX512 (x86-64-v4, AVX-512: 8 runs
/// per register; the compiler emits no instruction outside x86-64-v4 for this arithmetic). The
/// program runs the widest one the CPU has (`LaneKernel`). The bits do not depend on it (only +, −, ×, ÷, √ and no
/// fused multiply-add, which Swift never contracts), only the speed.
func compiled(for cpu: String) -> [SwiftSetting] {
    #if arch(x86_64)
    [.unsafeFlags(["-target-cpu", cpu])]
    #else
    []
    #endif
}

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
        // Tests only: property-based generators for the input fuzz tests (Tests/LSTMLabTests/FuzzTests.swift).
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        // `lstmlab serve`: the HTTP server and its HTML templates.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // The server's log (Hummingbird logs through it too).
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        // Experiment files (YAML) and the presets, which are such files.
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // Univariate series: loading, differencing, supervised framing, scaling, splitting, persistence, RMSE.
        .target(
            name: "TimeSeries",
            dependencies: [.product(name: "SwiftCSV", package: "SwiftCSV")],
            // Compiled into the binary (`PackageResources`): no command reads a resource bundle.
            resources: [.embedInCode("Resources/shampoo-sales.csv")]
        ),
        // Whole-vector square roots for the engine's SIMD lanes (one header of clang builtins).
        .target(name: "CLaneMath"),
        // The LSTM + Dense network: weights, forward and backward passes, penalties, Adam, Keras initializers,
        // the seeded random source and the Keras profiles.
        .target(name: "NeuralNetwork", dependencies: ["CLaneMath"]),
        // The engine specialised for one CPU each, for the lanes of its vector registers.
        .target(name: "LanesAVX2", dependencies: ["NeuralNetwork"], swiftSettings: compiled(for: "haswell")),
        .target(name: "LanesAVX512", dependencies: ["NeuralNetwork"], swiftSettings: compiled(for: "skylake-avx512")),
        // Run configurations and their canonical encoding, presets, experiment specs, the Trainer, the Runner and the
        // choice of the engine's compilation for the CPU.
        // Experiment files and the presets (YAML files embedded in the binary) are read here.
        .target(
            name: "Experiment",
            dependencies: [
                "TimeSeries", "NeuralNetwork", "CLaneMath", "LanesAVX2", "LanesAVX512",
                .product(name: "Yams", package: "Yams"),
            ],
            resources: [.embedInCode("Presets")]
        ),
        // libhdf5, imported as a system library with a thin shim for its macros.
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        // The archive: the SQLite store (migrations, the run ledger, curve rows, queries) and HDF5 checkpoints.
        .target(
            name: "Archive",
            dependencies: [
                "TimeSeries", "NeuralNetwork", "Experiment", "CHDF5",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            // `buildCommit`: the commit the binary was built from, for provenance and `--version`.
            plugins: ["BuildCommit"]
        ),
        .plugin(name: "BuildCommit", capability: .buildTool()),
        // Statistics, curve diagnostics, SVG charts, notebooks and number formatting, computed on values only.
        .target(name: "Analysis", dependencies: ["TimeSeries", "NeuralNetwork", "Experiment"]),
        // The use cases: run an experiment into an archive, reproduce, forecast, summarise, compare, curves,
        // notebooks, the study, the command that recreates a run.
        .target(name: "Lab", dependencies: ["TimeSeries", "NeuralNetwork", "Experiment", "Archive", "Analysis"]),
        // `lstmlab serve`: routes, JSON encoding and HTML templates over the read use cases of `Lab`.
        .target(
            name: "Server",
            dependencies: [
                "TimeSeries", "Experiment", "Archive", "Analysis", "Lab",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // Templates, script and style sheet, compiled into the binary (`PackageResources`).
            resources: [.embedInCode("Resources")]
        ),
        // The commands of `lstmlab`, one file each; a library so tests can run them in-process.
        .target(
            name: "LSTMLabCLI",
            dependencies: [
                "TimeSeries", "NeuralNetwork", "Experiment", "Archive", "Analysis", "Lab", "Server",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Linked with the Swift runtime and Foundation inside, in every configuration, so that the binary (and the
        // tests' copies of it) runs on a machine with libhdf5 and libsqlite3 but no Swift. The modules are compiled
        // against the shared runtime, whose link entries name Foundation's libraries but not what their static
        // archives need in turn: those are listed here, each before the ones it uses.
        .executableTarget(
            name: "lstmlab", dependencies: ["LSTMLabCLI"],
            linkerSettings: [.unsafeFlags(["-static-stdlib", "-lFoundationInternationalization", "-lCoreFoundation",
                                           "-lFoundationEssentials", "-l_FoundationCShims", "-l_FoundationCollections",
                                           "-l_FoundationICU", "-lswiftSynchronization", "-lstdc++"])]
        ),
        // Wall-clock benchmarks of the engine and the archive, run in release mode.
        .executableTarget(
            name: "lstmlab-benchmark",
            dependencies: [
                "TimeSeries", "NeuralNetwork", "Experiment", "Archive", "Lab", "Server",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "LSTMLabTests",
            dependencies: [
                "TimeSeries", "NeuralNetwork", "Experiment", "Archive", "Analysis", "Lab", "LSTMLabCLI", "Server",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            resources: [.copy("Fixtures")],
        ),
    ],
    swiftLanguageModes: [.v6]
)
