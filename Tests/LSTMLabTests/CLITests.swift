import ArgumentParser
import Experiment
import Foundation
@testable import LSTMLabCLI
import Testing
import TimeSeries

/// The entries of a help message's ARGUMENTS and OPTIONS sections: the names column and the help text beside it
/// (joined with any continuation lines).
private func helpEntries(_ help: String) -> [(names: [String], text: String)] {
    var entries: [(names: [String], text: String)] = []
    var inSection = false
    for line in help.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
        if line.hasSuffix(":") && !line.hasPrefix(" ") {
            inSection = line == "OPTIONS:" || line == "ARGUMENTS:"
            continue
        }
        guard inSection, !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
        let leading = line.prefix { $0 == " " }.count
        let tokens = line.split(separator: " ").map(String.init)
        if leading <= 2, let first = tokens.first, first.hasPrefix("-") || first.hasPrefix("<") {
            var names: [String] = []
            var index = 0
            while index < tokens.count, tokens[index].hasPrefix("-") || tokens[index].hasPrefix("<") {
                names.append(tokens[index].trimmingCharacters(in: CharacterSet(charactersIn: ",")))
                index += 1
            }
            entries.append((names, tokens[index...].joined(separator: " ")))
        } else if !entries.isEmpty {
            // A wrapped help text continues on a more indented line.
            entries[entries.count - 1].text += " " + line.trimmingCharacters(in: .whitespaces)
        }
    }
    return entries
}

@Suite("The lstmlab command line")
struct CLITests {
    /// The study's subcommands, which must be there whatever else is added.
    static let required = ["persistence", "presets", "run", "verify-keras"]
    static var subcommands: [String] { LSTMLab.configuration.subcommands.compactMap { $0.configuration.commandName } }

    @Test("lstmlab --help lists every subcommand with its abstract")
    func rootHelp() throws {
        let help = LSTMLab.helpMessage(columns: 200)
        #expect(Set(Self.required).isSubset(of: Set(Self.subcommands)))
        for name in Self.subcommands {
            let line = try #require(help.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(name + " ") },
                                    "no line for \(name)")
            #expect(line.split(separator: " ").count > 2, "subcommand \(name) has no abstract")
        }
    }

    @Test("run --help has help text for every option")
    func runHelp() throws {
        let help = LSTMLab.helpMessage(for: RunCommand.self, columns: 200)
        let entries = helpEntries(help)
        let listed = Set(entries.flatMap(\.names))
        for option in ["<presets>", "--shard", "--name", "--profile", "--repeats", "--epochs", "--seed", "--units", "--batch", "--lag",
                       "--test-size", "--jobs", "--place", "--l1", "--l2", "--data", "--column", "--header", "--quiet"] {
            #expect(listed.contains(option), "run --help does not list \(option)")
        }
        for entry in entries {
            #expect(entry.text.count >= 10, "\(entry.names.joined(separator: " ")) has no help text")
        }
        // Every preset is named in the discussion.
        for preset in Preset.allCases { #expect(help.contains(preset.rawValue)) }
    }

    @Test("Every subcommand's help has help text for every option")
    func subcommandHelp() {
        for command in LSTMLab.configuration.subcommands {
            let name = command.configuration.commandName ?? "?"
            let entries = helpEntries(LSTMLab.helpMessage(for: command, columns: 200))
            #expect(entries.count >= 3, "\(name)")
            for entry in entries {
                #expect(entry.text.count >= 10, "\(name): \(entry.names.joined(separator: " ")) has no help text")
            }
        }
    }

    @Test("The built binary: --help mentions every subcommand; every argument has an abstract in the help dump")
    func binaryHelp() throws {
        let help = try TestSupport.runLSTMLab(["--help"])
        #expect(help.status == 0)
        for name in Self.subcommands { #expect(help.stdout.contains(name)) }

        let dump = try TestSupport.runLSTMLab(["--experimental-dump-help"])
        #expect(dump.status == 0)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        let command = try #require(root["command"] as? [String: Any])
        let subcommands = try #require(command["subcommands"] as? [[String: Any]])
        let names = subcommands.compactMap { $0["commandName"] as? String }
        for name in Self.subcommands { #expect(names.contains(name)) }
        for subcommand in subcommands where Self.subcommands.contains(subcommand["commandName"] as? String ?? "") {
            #expect(!((subcommand["abstract"] as? String) ?? "").isEmpty)
            for argument in subcommand["arguments"] as? [[String: Any]] ?? [] {
                let abstract = argument["abstract"] as? String ?? ""
                #expect(!abstract.isEmpty, "\(subcommand["commandName"] ?? "?"): \(argument["valueName"] ?? "?") has no help")
            }
        }
    }

    @Test("persistence prints the RMSE 136.761 for the shipped series")
    func persistence() throws {
        let result = try TestSupport.runLSTMLab(["persistence"])
        #expect(result.status == 0)
        #expect(result.stdout == "Persistence RMSE over the last 12 observations: 136.761\n")
    }

    @Test("persistence on a headerless CSV, by column index")
    func persistenceOnCSV() throws {
        // Values 10, 12, 15, 11, 20; the last 2 months: forecasts 15, 11 vs observed 11, 20 → errors −4, 9 →
        // √((16 + 81)/2) = √48.5 = 6.964 (by hand).
        let path = try TestSupport.temporaryFile("a,10\nb,12\nc,15\nd,11\ne,20\n", name: "tiny")
        let result = try TestSupport.runLSTMLab(["persistence", "--data", path, "--column", "1", "--test-size", "2"])
        #expect(result.status == 0)
        #expect(result.stdout == "Persistence RMSE over the last 2 observations: 6.964\n")
        // Column 0 holds labels, not numbers (the first row is then taken for a header and "b" is not a number).
        let labels = try TestSupport.runLSTMLab(["persistence", "--data", path, "--column", "0"])
        #expect(labels.status != 0)
        #expect(labels.stderr.contains("'b' is not a number"))
    }

    @Test("presets lists every preset; --verbose lists configurations")
    func presets() throws {
        let result = try TestSupport.runLSTMLab(["presets"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == Preset.allCases.count)
        for (line, preset) in zip(lines, Preset.allCases) {
            #expect(line.hasPrefix(preset.rawValue + " "))
            #expect(line.hasSuffix(preset.summary))
        }
        let verbose = try TestSupport.runLSTMLab(["presets", "--verbose"])
        #expect(verbose.status == 0)
        #expect(verbose.stdout.contains("    kernel L1L2(0.01,0.01)"))
        #expect(verbose.stdout.split(separator: "\n").count
                == Preset.allCases.count + Preset.allCases.reduce(0) { $0 + $1.configurations.count })
    }

    @Test("A bad value exits non-zero with one error line on stderr")
    func badValueExitCode() throws {
        let result = try TestSupport.runLSTMLab(["run", "nosuch", "--epochs", "1", "--repeats", "1",
                                                 "--archive", TestSupport.temporaryArchive()])
        #expect(result.status != 0)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(result.stderr.contains("nosuch"))
    }

    @Test("A small run prints one score line per run and a describe() table")
    func smallRun() throws {
        let archive = TestSupport.temporaryArchive()
        let result = try TestSupport.runLSTMLab(["run", "baseline", "--epochs", "2", "--repeats", "3", "--jobs", "2",
                                                 "--archive", archive])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let scoreLines = result.stdout.split(separator: "\n").filter { $0.contains("test RMSE") }
        #expect(scoreLines.count == 3)
        #expect(result.stdout.contains("Experiment baseline-keras2: 3 runs of 2 epochs"))
        #expect(result.stdout.contains("count"))
        #expect(result.stdout.contains("3.000000"))
        // The scores printed are those of the runs the library trains for the same tasks.
        let training = TrainingSettings(epochs: 2)
        let trainer = try Trainer(series: .shampooSales(), training: training)
        for task in Preset.baseline.experiment(seed: 2017, repeats: 3, training: training).runs {
            let score = try #require(try trainer.train(task).finalTestRMSE)
            let expected = "repeat \(task.repeatIndex + 1)  seed \(task.runSeed)  test RMSE \(String(format: "%.3f", score))"
            #expect(scoreLines.contains { $0.hasSuffix(expected) }, "missing: \(expected)")
        }
    }

    @Test("verify-keras passes on a shipped dump and fails under an impossible tolerance")
    func verifyKeras() throws {
        let path = try TestSupport.fixturePath("keras-golden-3epochs")
        let ok = try TestSupport.runLSTMLab(["verify-keras", path])
        #expect(ok.status == 0, "stderr: \(ok.stderr)")
        #expect(ok.stdout.contains("OK: largest deviation"))
        #expect(ok.stdout.contains("epoch 3:"))
        let strict = try TestSupport.runLSTMLab(["verify-keras", path, "--tolerance", "1e-300"])
        #expect(strict.status != 0)
        #expect(strict.stderr.contains("exceeds the tolerance"))

        // In-process, the same failure is a thrown one-line error.
        var command = try LSTMLab.parseAsRoot(["verify-keras", path, "--tolerance", "1e-300"])
        #expect(throws: CommandFailure.self) { try command.run() }
    }

    @Test("An output's folder is read from its path as written, one-letter names included")
    func parentPaths() {
        for (path, folder) in [("c", ""), ("c/", ""), ("/c", "/"), ("/", "/"), ("a/b", "a"), ("a//b/", "a"), ("./x", "."),
                               ("../q", ".."), ("/a/b/c.svg", "/a/b"), ("N", "")] {
            #expect(parentPath(path) == folder, "\(path)")
        }
    }

    @Test("One-letter relative outputs are written where they are named")
    func oneLetterOutputs() throws {
        let folder = try TestSupport.temporaryDirectory()
        let lstmlab = try TestSupport.lstmlabExecutable()
        let trained = try TestSupport.runProcess(lstmlab, ["run", "baseline", "--epochs", "3", "--repeats", "2", "--quiet",
                                                           "--archive", "a"], in: folder)
        #expect(trained.status == 0, "\(trained.stderr)")
        for arguments in [["curves", "--experiment", "baseline-keras2", "--output", "c"], ["summary", "baseline-keras2", "--plot", "p"],
                          ["notebook", "baseline-keras2", "--directory", "Q"]] {
            let result = try TestSupport.runProcess(lstmlab, arguments + ["--archive", "a"], in: folder)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        try "x".write(to: folder.appendingPathComponent("f"), atomically: true, encoding: .utf8)
        let onFile = try TestSupport.runProcess(lstmlab, ["notebook", "baseline-keras2", "--directory", "f/", "--archive", "a"], in: folder)
        #expect(onFile.status == 1 && onFile.stderr == "Error: cannot write --directory f/: f is not a folder\n", "\(onFile.stderr)")
        for written in ["c", "p", "Q/baseline-keras2.md"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(written).path), "\(written)")
        }
    }

    @Test("LSTMLAB_LANES naming no kernel is refused in one line")
    func unknownLanes() throws {
        var environment = ProcessInfo.processInfo.environment
        environment[LaneKernel.environmentVariable] = "avx9"
        let result = try TestSupport.runProcess(try TestSupport.lstmlabExecutable(), ["presets"],
                                                in: try TestSupport.temporaryDirectory(), environment: environment)
        #expect(result.status == 1 && result.stdout.isEmpty, "\(result.stdout)")
        #expect(result.stderr == "Error: LSTMLAB_LANES 'avx9' names no kernel: use one of scalar, avx2, avx512, or unset it\n")
    }

    @Test("scoreLine reports finished and failed runs")
    func scoreLines() throws {
        let training = TrainingSettings(epochs: 1)
        let trainer = try Trainer(series: .shampooSales(), training: training)
        let task = Preset.baseline.experiment(seed: 1, repeats: 1, training: training).runs[0]
        var result = try trainer.train(task)
        let score = try #require(result.finalTestRMSE)
        #expect(scoreLine(result) == "L1L2(0.00,0.00)  repeat 1  seed \(task.runSeed)  test RMSE \(String(format: "%.3f", score))")
        result.outcome = .failed(epoch: 1, reason: "loss became NaN")
        #expect(scoreLine(result).hasSuffix("FAILED: loss became NaN"))
    }
}
