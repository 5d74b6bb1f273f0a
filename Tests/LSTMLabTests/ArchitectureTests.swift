import Foundation
import Testing

/// The module graph of DESIGN.md, read from the sources themselves: data flows one way.
@Suite("Architecture: the import graph is one-way")
struct ArchitectureTests {
    /// The project modules each module may import (its dependencies in Package.swift).
    static let allowed: [String: Set<String>] = [
        "TimeSeries": [],
        "NeuralNetwork": ["CLaneMath"],
        "LanesAVX2": ["NeuralNetwork"],
        "LanesAVX512": ["NeuralNetwork"],
        "Experiment": ["TimeSeries", "NeuralNetwork", "CLaneMath", "LanesAVX2", "LanesAVX512"],
        "Archive": ["TimeSeries", "NeuralNetwork", "Experiment", "CHDF5"],
        "Analysis": ["TimeSeries", "NeuralNetwork", "Experiment"],
        "Lab": ["TimeSeries", "NeuralNetwork", "Experiment", "Archive", "Analysis"],
        "Server": ["TimeSeries", "Experiment", "Archive", "Analysis", "Lab"],
        "LSTMLabCLI": ["TimeSeries", "NeuralNetwork", "Experiment", "Archive", "Analysis", "Lab", "Server"],
        "lstmlab-benchmark": ["TimeSeries", "NeuralNetwork", "Experiment", "Archive", "Lab", "Server"],
    ]
    static let projectModules: Set<String> = ["TimeSeries", "NeuralNetwork", "LanesAVX2", "LanesAVX512", "Experiment",
                                              "Archive", "Analysis", "Lab", "Server", "LSTMLabCLI", "CHDF5", "CLaneMath"]
    /// The front ends: they parse, call `Lab` and print.
    static let frontEnds = ["LSTMLabCLI", "Server", "lstmlab-benchmark"]

    static var sources: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
    }

    /// The `import` lines of every Swift file of a module, by file name.
    static func imports(of module: String) throws -> [String: Set<String>] {
        let folder = sources.appendingPathComponent(module)
        var result: [String: Set<String>] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".swift") {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            result[name] = Set(text.split(separator: "\n").compactMap { line -> String? in
                let words = line.split(separator: " ")
                guard let index = words.firstIndex(of: "import"), index <= 1 else { return nil }
                return words.count > index + 1 ? String(words[index + 1]) : nil
            })
        }
        return result
    }

    /// Expects that no Swift file of `module` contains any of `words`.
    static func expectNoMention(of words: [String], in module: String) throws {
        let folder = sources.appendingPathComponent(module)
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".swift") {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            for word in words { #expect(!text.contains(word), "\(module)/\(name) mentions \(word)") }
        }
    }

    @Test("Each module imports only the project modules below it", arguments: Array(allowed.keys).sorted())
    func moduleImports(module: String) throws {
        let files = try Self.imports(of: module)
        #expect(!files.isEmpty)
        for (file, imported) in files {
            let project = imported.intersection(Self.projectModules)
            let extra = project.subtracting(Self.allowed[module]!)
            #expect(extra.isEmpty, "\(module)/\(file) imports \(extra.sorted())")
        }
    }

    @Test("Only the command line and the benchmark parse arguments; Archive trains nothing; Analysis touches no files")
    func responsibilities() throws {
        for module in Self.allowed.keys {
            let parses = try Self.imports(of: module).values.contains { $0.contains("ArgumentParser") }
            #expect(parses == (module == "LSTMLabCLI" || module == "lstmlab-benchmark"), "\(module)")
        }
        for (module, words) in [("Archive", ["Trainer", "Runner", "LSTMNetwork", "LaneEngine", "trainEpoch"]),
                                ("Server", ["GRDB", "Database", "sqlite", "Trainer", "quantile(", "sampleMean"]),
                                ("Analysis", ["FileManager", "FileHandle", "write(to:", "contentsOfFile", "ArchiveStore"])] {
            try Self.expectNoMention(of: words, in: module)
        }
    }

    /// The front ends reach the archive and the engine through `Lab` and value types only: they import no storage or
    /// engine module (GRDB, Crypto, CHDF5, CLaneMath, the lanes' compilations; the server not NeuralNetwork either)
    /// and name none of the store's or the engine's types. The benchmark alone names `ArchiveStore`: it times the
    /// store's own writes.
    @Test("The front ends use Lab, not the archive's or the engine's internals")
    func frontEnds() throws {
        let forbiddenImports: Set<String> = ["GRDB", "Crypto", "CHDF5", "CLaneMath", "LanesAVX2", "LanesAVX512"]
        for module in Self.frontEnds {
            for (file, imported) in try Self.imports(of: module) {
                let forbidden = forbiddenImports.union(module == "Server" ? ["NeuralNetwork"] : [])
                #expect(imported.isDisjoint(with: forbidden), "\(module)/\(file) imports \(imported.intersection(forbidden).sorted())")
            }
            let words = ["Database", "GRDB", "LSTMNetwork", "LaneEngine", "LSTMLayer", "DenseLayer"]
                + (module == "lstmlab-benchmark" ? [] : ["ArchiveStore"])
            try Self.expectNoMention(of: words, in: module)
        }
    }

    /// A front end imports another package's module only when Package.swift declares that product for it (e.g. the
    /// server's `Logging`), never through another package's dependencies.
    @Test("The front ends declare the products they import")
    func declaredProducts() throws {
        let manifest = try String(contentsOf: Self.sources.deletingLastPathComponent().appendingPathComponent("Package.swift"),
                                  encoding: .utf8)
        let system: Set<String> = ["Foundation", "FoundationNetworking", "Dispatch", "Synchronization", "Glibc"]
        for module in Self.frontEnds {
            let target = manifest.components(separatedBy: "name: \"\(module)\",").dropFirst().last?
                .components(separatedBy: "\n        ),").first ?? ""
            #expect(!target.isEmpty, "Package.swift declares no target \(module)")
            for (file, imported) in try Self.imports(of: module) {
                for product in imported.subtracting(Self.projectModules).subtracting(system) {
                    #expect(target.contains(".product(name: \"\(product)\""), "\(module)/\(file) imports \(product), not declared")
                }
            }
        }
    }
}
