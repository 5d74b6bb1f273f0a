import ArgumentParser
import Experiment
import Foundation
@testable import LSTMLabCLI
import Testing
import TimeSeries

// One test per finding of the hostile tester (issue 8, the input side): each reproduces the old failure (a trap,
// an allocation of exabytes, a raw NSError dump, a silently wrong value, a silent exit 0) and checks the fix: a
// one-line error, exit status 1, nothing archived.

/// Expects the built binary to fail cleanly: exit status 1 (not 132/134, a trap or an abort), nothing on stdout,
/// exactly one line on stderr containing every fragment.
private func expectCleanFailure(_ arguments: [String], naming fragments: [String],
                                sourceLocation: SourceLocation = #_sourceLocation) throws {
    let result = try TestSupport.runLSTMLab(arguments)
    expectCleanFailure(result, arguments: arguments, naming: fragments, sourceLocation: sourceLocation)
}

private func expectCleanFailure(_ result: (status: Int32, stdout: String, stderr: String), arguments: [String],
                                naming fragments: [String], stdoutMayHold: Bool = false,
                                sourceLocation: SourceLocation = #_sourceLocation) {
    let command = "lstmlab \(arguments.joined(separator: " "))"
    #expect(result.status == 1, "\(command) exited \(result.status): \(result.stderr.prefix(300))",
            sourceLocation: sourceLocation)
    if !stdoutMayHold { #expect(result.stdout.isEmpty, "\(command) printed \(result.stdout.prefix(300))", sourceLocation: sourceLocation) }
    let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
    #expect(lines.count == 1, "\(command): not one line: \(result.stderr.prefix(600))", sourceLocation: sourceLocation)
    #expect(!result.stderr.contains("NSError") && !result.stderr.contains("Error Domain") && !result.stderr.contains("UserInfo"),
            "\(command): raw Foundation error: \(result.stderr.prefix(300))", sourceLocation: sourceLocation)
    for fragment in fragments {
        #expect(result.stderr.contains(fragment), "\(command): '\(result.stderr)' does not name '\(fragment)'",
                sourceLocation: sourceLocation)
    }
}

/// A one-line in-process failure containing every fragment.
private func expectOneLine(_ arguments: [String], naming fragments: [String],
                           sourceLocation: SourceLocation = #_sourceLocation) {
    guard let message = TestSupport.inProcessError(arguments) else {
        Issue.record("lstmlab \(arguments.joined(separator: " ")) did not fail", sourceLocation: sourceLocation)
        return
    }
    #expect(!message.contains("\n"), "not one line: \(message)", sourceLocation: sourceLocation)
    for fragment in fragments {
        #expect(message.contains(fragment), "'\(message)' does not name '\(fragment)'", sourceLocation: sourceLocation)
    }
}

private let int64Max = String(Int.max)

@Suite("Hardening: hostile input fails in one line, never with a trap")
struct HardeningTests {
    // MARK: 1. Crashes

    /// Before: `--lag`, `--test-size`, `--batch` near Int.max trapped on arithmetic overflow (exit 132, backtrace);
    /// `--epochs`, `--units`, `--repeats` aborted allocating exabytes (exit 134). Now each is refused up front with
    /// its range, and no archive is created.
    @Test("Huge numeric options: refused with their range, exit 1, no archive", arguments: [
        ("--lag", int64Max, "lag must be from 1 to 1000"), ("--lag", "99999999999", "lag must be from 1 to 1000, got 99999999999"),
        ("--test-size", int64Max, "test size must be from 1 to 1000000"), ("--batch", int64Max, "batch size must be from 1 to 1000000"),
        ("--epochs", int64Max, "epochs must be from 1 to 1000000"), ("--epochs", "99999999999", "epochs"),
        ("--units", int64Max, "units must be from 1 to 1000"), ("--units", "100000", "units must be from 1 to 1000"),
        ("--repeats", int64Max, "repeats must be from 1 to 10000"), ("--jobs", int64Max, "jobs must be from 1 to 1024"),
        ("--jobs", "0", "jobs must be from 1 to 1024"), ("--checkpoint-every", int64Max, "--checkpoint-every must be from 0 to 1000000"),
        ("--checkpoint-every=-5", "", "--checkpoint-every must be from 0 to 1000000, got -5"),
    ])
    func hugeNumbers(option: String, value: String, message: String) throws {
        let folder = try TestSupport.temporaryDirectory()
        let archive = folder.appendingPathComponent("archive.sqlite").path
        let arguments = ["run", "baseline", "--archive", archive] + (value.isEmpty ? [option] : [option, value])
        try expectCleanFailure(arguments, naming: [message])
        #expect(!FileManager.default.fileExists(atPath: archive), "a refused run created \(archive)")
    }

    /// Before: settings allowed one by one but enormous together (e.g. 10 000 repeats of 36 configurations of 100 000
    /// epochs: about 1 TB of curves kept in memory) aborted or swapped the machine. Now the memory the runs need is
    /// estimated up front and refused beyond half the physical memory.
    @Test("Settings whose runs need more memory than allowed are refused before anything is allocated")
    func memoryCheck() throws {
        try expectCleanFailure(["run", "input-grid", "--repeats", "10000", "--epochs", "100000",
                                "--archive", TestSupport.temporaryArchive()], naming: ["memory", "allowed"])
        try expectCleanFailure(["study", "--repeats", "10000", "--epochs", "1000000",
                                "--archive", TestSupport.temporaryArchive()], naming: ["memory"])
        // The estimate: P = 4u(lag + u + 1) + u + 1 weights, four copies per result plus snapshots, 32 bytes per epoch.
        let settings = TrainingSettings(units: 1000, lag: 1000, epochs: 1000)
        let (bytes, largest) = settings.memoryNeeded(seriesLength: 36, runCount: 10, jobs: 2, snapshotInterval: 100)
        let parameters = 4.0 * 1000 * (1000 + 1000 + 1) + 1000 + 1
        #expect(bytes >= 10 * 8 * (4 + 10) * parameters)
        #expect(largest.contains("results of 10 run(s)"))
        #expect(throws: ExperimentError.self) {
            try settings.checkMemory(seriesLength: 36, runCount: 10, jobs: 2, snapshotInterval: 100, limit: 1e9)
        }
        // The study's own settings fit easily.
        #expect(throws: Never.self) {
            try TrainingSettings().checkMemory(seriesLength: 36, runCount: 36 * 30, jobs: 2, snapshotInterval: 100, limit: 1e9)
        }
    }

    /// Before: `--learning-rate nan` / `inf` were caught but `--seed` above 2⁶³−1, `--faint-runs` huge,
    /// `forecast --epoch` negative, `verify-keras --tolerance inf` (which passed every dump) were not, or were
    /// reported inconsistently. Now each names its range.
    @Test("Other numeric options: learning rate, seed, faint runs, forecast epoch, tolerance")
    func otherNumbers() throws {
        let small = ["--epochs", "1", "--repeats", "1", "--archive", TestSupport.temporaryArchive()]
        for value in ["nan", "inf", "-1", "0"] {
            expectOneLine(["run", "baseline", "--learning-rate=\(value)"] + small,
                          naming: ["learning rate must be a finite number greater than 0"])
        }
        expectOneLine(["run", "baseline", "--seed", "9223372036854775808"] + small,
                      naming: ["seed must be from 0 to 9223372036854775807, got 9223372036854775808"])
        expectOneLine(["curves", "--experiment", "x", "--faint-runs", "999999999999"], naming: ["--faint-runs must be from 0 to 1000"])
        expectOneLine(["curves", "--experiment", "x", "--faint-runs=-1"], naming: ["--faint-runs must be from 0 to 1000"])
        expectOneLine(["forecast", "1", "--epoch=-5"], naming: ["--epoch must be from 1 to 1000000, got -5"])
        let dump = try TestSupport.fixturePath("keras-golden-3epochs")
        for value in ["inf", "nan", "-1"] {
            expectOneLine(["verify-keras", dump, "--tolerance=\(value)"], naming: ["--tolerance must be from 0 to 1"])
        }
        expectOneLine(["run", "--place", "kernel", "--l1", "1e300"] + small, naming: ["kernel L1 must be from 0 to 1000"])
        expectOneLine(["persistence", "--test-size", int64Max], naming: ["test size must be from 1 to 1000000"])
    }

    /// Before: `verify-keras` on a dump with batch size 0 trapped (division by zero), a negative batch size aborted
    /// allocating 16 EB, negative units trapped on a range, huge units overflowed, rows of no values trapped; a
    /// weight tensor of the wrong shape, epochs numbered wrongly or test forecasts of the wrong count passed.
    @Test("Keras dumps with impossible fields: one line naming the field, exit 1", arguments: [
        ("batch_size", "0", "batch_size must be from 1 to 20"), ("batch_size", "-4", "batch_size must be from 1 to 20"),
        ("units", "-3", "units must be from 1 to 1000, got -3"), ("units", "1000000000000000", "units must be from 1 to 1000"),
        ("units", "0", "units must be from 1 to 1000, got 0"), ("train_scaled", "[[],[],[],[]]", "lag (the width of a train_scaled row"),
        ("train_scaled", "[]", "train_scaled holds no rows"), ("test_scaled", "[]", "test_scaled holds no rows"),
        ("epochs", "[]", "epochs holds no epochs"), ("learning_rate", "-1", "learning_rate must be a finite number greater than 0"),
        ("adam", "{\"beta_1\": 1, \"beta_2\": 0.999, \"epsilon\": 1e-7}", "adam.beta_1 must be from 0 to less than 1"),
        ("kernel_l1l2", "[-1, 0]", "kernel_l1l2 coefficients must be from 0"), ("test_forecasts", "[1.0]", "test_forecasts holds 1 values"),
        ("test_predictions_scaled", "[]", "test_predictions_scaled holds 0 values"),
        ("recurrent_activation", "\"relu\"", "recurrent_activation 'relu' is not sigmoid"),
    ])
    func badDumpFields(field: String, json: String, message: String) throws {
        let path = try editedDump(field: field, json: json)
        try expectCleanFailure(["verify-keras", path], naming: ["reference dump", message])
    }

    @Test("Keras dumps: ragged rows, weights of the wrong shape, misnumbered epochs, NaN, not JSON")
    func badDumpStructure() throws {
        let golden = try goldenObject()
        var ragged = golden
        var rows = try #require(ragged["train_scaled"] as? [[Double]])
        rows[3].append(0.5)
        ragged["train_scaled"] = rows
        try expectCleanFailure(["verify-keras", try write(ragged)], naming: ["train_scaled row 4 has 3 values where 2"])

        var wrongShape = golden
        var weights = try #require(wrongShape["initial_weights"] as? [Any])
        let kernel = try #require((weights[0] as? [[Double]])?.first)
        weights[0] = [Array(kernel[..<6]), Array(kernel[6...])]  // (2, 6) instead of (1, 12): same count, wrong shape
        wrongShape["initial_weights"] = weights
        try expectCleanFailure(["verify-keras", try write(wrongShape)],
                               naming: ["initial_weights[0] (kernel) has shape (2, 6) where (1, 12) was expected"])

        var misnumbered = golden
        var epochs = try #require(misnumbered["epochs"] as? [[String: Any]])
        epochs[1]["epoch"] = 7
        misnumbered["epochs"] = epochs
        try expectCleanFailure(["verify-keras", try write(misnumbered)], naming: ["epochs[1].epoch must be 2"])

        let text = try String(contentsOfFile: try TestSupport.fixturePath("keras-golden-3epochs"), encoding: .utf8)
        let nan = try TestSupport.temporaryFile(text.replacingOccurrences(of: "\"test_rmse\": ", with: "\"test_rmse\": NaN, \"x\": "),
                                                name: "nan", extension: "json")
        try expectCleanFailure(["verify-keras", nan], naming: ["not valid JSON"])
        let folder = try TestSupport.temporaryDirectory().path
        try expectCleanFailure(["verify-keras", folder], naming: ["it is a directory"])
    }

    /// Before: a 300-character `--name` trained every run, then failed creating the checkpoint folder with a raw
    /// `NSCocoaErrorDomain Code=514` dump. Now the name is checked first: at most 100 bytes, portable characters.
    @Test("Experiment names: length and characters checked before anything is trained")
    func experimentNames() throws {
        let folder = try TestSupport.temporaryDirectory()
        let archive = folder.appendingPathComponent("archive.sqlite").path
        let long = String(repeating: "x", count: 300)
        try expectCleanFailure(["run", "baseline", "--epochs", "1", "--repeats", "1", "--name", long, "--archive", archive],
                               naming: ["experiment name", "from 1 to 100 characters (it has 300 bytes)"])
        #expect(!FileManager.default.fileExists(atPath: archive))
        for name in ["a/b", "../up", ".hidden", "-flag", "with space", "tab\there", "line\nbreak", "é"] {
            expectOneLine(["run", "baseline", "--epochs", "1", "--repeats", "1", "--name=\(name)", "--archive", archive],
                          naming: ["experiment name", "letters A–Z a–z, digits"])
        }
        #expect(!FileManager.default.fileExists(atPath: archive))
        // Names of the presets and those the tests use stay valid.
        #expect(TestSupport.inProcessError(["run", "baseline", "--epochs", "1", "--repeats", "1", "--jobs", "1", "--quiet",
                                "--name", "my-combination_2.v1+x", "--archive", archive]) == nil)
    }

    /// Before: `--data` naming a folder said "not UTF-8 text"; an unreadable file too; `--archive` naming a folder
    /// crashed in Foundation (`try!` reading the folder, exit 132); `summary --plot` and `curves --output` into a
    /// missing folder printed an `NSError` dump after the table, `notebook --directory` under a file likewise.
    @Test("File paths: folders, missing folders and files in place of folders are one line, up front")
    func filePaths() throws {
        let folder = try TestSupport.temporaryDirectory()
        try expectCleanFailure(["persistence", "--data", folder.path], naming: ["cannot read data file", "it is a directory"])
        try expectCleanFailure(["runs", "--archive", folder.path], naming: ["--archive", "is a folder"])
        try expectCleanFailure(["run", "baseline", "--epochs", "1", "--repeats", "1", "--archive", folder.path],
                               naming: ["--archive", "is a folder"])
        try expectCleanFailure(["run", "baseline", "--epochs", "1", "--repeats", "1", "--archive", "/dev/null/archive.sqlite"],
                               naming: ["/dev/null is not a folder"])

        let archive = try smallArchive()
        let missing = folder.appendingPathComponent("no/such/folder/box.svg").path
        try expectCleanFailure(["summary", "baseline-keras2", "--archive", archive, "--plot", missing],
                               naming: ["cannot write --plot", "does not exist"])
        try expectCleanFailure(["summary", "baseline-keras2", "--archive", archive, "--plot", folder.path],
                               naming: ["cannot write --plot", "it is a folder"])
        try expectCleanFailure(["curves", "--experiment", "baseline-keras2", "--archive", archive, "--output", missing],
                               naming: ["cannot write --output", "does not exist"])
        let file = try TestSupport.temporaryFile("x", name: "plain", extension: "txt")
        try expectCleanFailure(["notebook", "baseline-keras2", "--archive", archive, "--directory", file + "/notebooks"],
                               naming: ["cannot write --directory", "is not a folder"])
        // The in-process command throws the same one line (no Foundation error escapes the command).
        expectOneLine(["summary", "baseline-keras2", "--archive", archive, "--plot", missing], naming: ["cannot write --plot"])
    }

    /// Permissions as an unprivileged user: the tests run as root in CI, and root reads and writes anything, so
    /// these commands run as `nobody` through `setpriv` (util-linux). Before: an unreadable `--data` file was "not
    /// UTF-8 text"; a plot into a folder the user cannot write printed an `NSError` dump after the table.
    @Test("Unreadable data file and unwritable output folder, as an unprivileged user",
          .enabled(if: Unprivileged.isAvailable, "needs a non-root user, or root with setpriv"))
    func permissions() throws {
        let folder = try Unprivileged.sharedFolder()
        let unreadable = folder.appendingPathComponent("secret.csv").path
        try "Month,Sales\n1-01,1\n1-02,2\n1-03,3\n".write(toFile: unreadable, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: unreadable)
        let read = try Unprivileged.run(["persistence", "--data", unreadable, "--test-size", "1"], in: folder)
        expectCleanFailure(read, arguments: ["persistence", "--data", unreadable],
                           naming: ["cannot read data file", "Permission denied"])

        // An archive the user owns, and a folder it cannot write.
        let archiveFolder = folder.appendingPathComponent("archive")
        try FileManager.default.createDirectory(at: archiveFolder, withIntermediateDirectories: true)
        let archive = archiveFolder.appendingPathComponent("archive.sqlite").path
        #expect(TestSupport.inProcessError(["run", "baseline", "--epochs", "2", "--repeats", "2", "--jobs", "1", "--quiet",
                                "--archive", archive]) == nil)
        try Unprivileged.giveToNobody(archiveFolder.path)
        let locked = folder.appendingPathComponent("locked")
        try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: locked.path)
        let plot = locked.appendingPathComponent("box.svg").path
        let summary = try Unprivileged.run(["summary", "baseline-keras2", "--archive", archive, "--plot", plot], in: folder)
        expectCleanFailure(summary, arguments: ["summary", "--plot", plot], naming: ["cannot write --plot", "Permission denied"])
        let curves = try Unprivileged.run(["curves", "--experiment", "baseline-keras2", "--archive", archive,
                                           "--output", locked.appendingPathComponent("c.svg").path], in: folder)
        expectCleanFailure(curves, arguments: ["curves", "--output"], naming: ["cannot write --output", "Permission denied"])
    }

    // MARK: 2. Silent wrong answers

    /// Before: `145\09` (a NUL byte inside the cell) was read as 145, since `Double(String)` stops at a NUL.
    @Test("A NUL byte inside a CSV cell is refused, naming the line and column")
    func nulByte() throws {
        let path = try TestSupport.temporaryFile("Month,Sales\n1-01,266.0\n1-02,145\u{0}9\n1-03,183.1\n1-04,119.3\n", name: "nul")
        #expect(throws: TimeSeriesError.controlCharacter(line: 3, column: 1, character: 0)) {
            _ = try Series.load(csvAt: path)
        }
        try expectCleanFailure(["persistence", "--data", path, "--test-size", "1"], naming: ["line 3, column 2", "NUL"])
        // The same in a label, and other control characters.
        #expect(throws: TimeSeriesError.controlCharacter(line: 2, column: 0, character: 0)) {
            _ = try Series.load(csvText: "Month,Sales\n1-\u{0}01,266.0\n1-02,145.9\n")
        }
        #expect(throws: TimeSeriesError.controlCharacter(line: 2, column: 1, character: 0x1B)) {
            _ = try Series.load(csvText: "Month,Sales\n1-01,266\u{1B}[0m\n1-02,145.9\n")
        }
    }

    /// Numbers that `Double(String)` reads but a sales series cannot hold, or that it reads differently than the
    /// user meant: hexadecimal, nan and inf, thousands separators, trailing garbage, out-of-range magnitudes.
    @Test("Values that are not plain decimal numbers are refused with a hint", arguments: [
        ("0x10", "write it in decimal"), ("inf", "values must be finite"), ("nan", "values must be finite"),
        ("Infinity", "values must be finite"), ("\"1,266.0\"", "thousands separators"), ("266.0abc", "is not a number"),
        ("1e300", "out of range"), ("5e-324", "out of range"), ("1e999", "out of range"), ("", "is not a number"),
        ("1 266", "thousands separators"),
    ])
    func notPlainNumbers(cell: String, hint: String) throws {
        let path = try TestSupport.temporaryFile("Month,Sales\n1-01,\(cell)\n1-02,145.9\n1-03,183.1\n", name: "value")
        let message = try #require(TestSupport.inProcessError(["persistence", "--data", path, "--test-size", "1"]))
        #expect(message.contains("line 2"), "\(message)")
        #expect(message.contains(hint), "\(message)")
        #expect(!message.contains("\n"))
    }

    @Test("An unquoted thousands separator splits the row: the message says so")
    func unquotedThousands() throws {
        let path = try TestSupport.temporaryFile("Month,Sales\n1-01,1,266.0\n1-02,145.9\n", name: "thousands")
        expectOneLine(["persistence", "--data", path, "--test-size", "1"], naming: ["line 2 has 3 field(s)", "thousands separator"])
    }

    @Test("Empty series, a series shorter than lag + test size + batch, a line break in a quoted cell")
    func shortSeries() throws {
        expectOneLine(["persistence", "--data", try TestSupport.temporaryFile("Month,Sales\n\n\n", name: "empty")],
                      naming: ["holds no observations"])
        let short = try TestSupport.temporaryFile("Month,Sales\n1-01,1\n1-02,2\n1-03,3\n1-04,4\n", name: "short")
        expectOneLine(["run", "baseline", "--data", short, "--epochs", "1", "--repeats", "1", "--archive", TestSupport.temporaryArchive()],
                      naming: ["the series has 4 observations but 18 are needed", "lag 1, test size 12"])
        expectOneLine(["persistence", "--data", try TestSupport.temporaryFile("Month,Sales\n1-01,\"26\n6\"\n1-02,3\n", name: "quoted")],
                      naming: ["line 2, column 2", "is a quote left open?"])
        // Messages quoting a value never span lines.
        let message = try #require(TestSupport.inProcessError(["persistence", "--data",
                                                   try TestSupport.temporaryFile("a,b\n1,\"x\ny\"\n", name: "nl")]))
        #expect(!message.contains("\n"))
    }

    @Test("A byte-order mark, CRLF and CR line ends, and quoted cells load the same values")
    func bomAndLineEnds() throws {
        let expected: [Double] = [266.0, 145.9, 183.1, 119.3]
        for (name, text) in [("plain", "Month,Sales\n1-01,266.0\n1-02,145.9\n1-03,183.1\n1-04,119.3\n"),
                             ("bom", "\u{FEFF}Month,Sales\n1-01,266.0\n1-02,145.9\n1-03,183.1\n1-04,119.3\n"),
                             ("bom-headerless", "\u{FEFF}1-01,266.0\n1-02,145.9\n1-03,183.1\n1-04,119.3\n"),
                             ("crlf", "Month,Sales\r\n1-01,266.0\r\n1-02,145.9\r\n1-03,183.1\r\n1-04,119.3\r\n"),
                             ("bom-crlf", "\u{FEFF}\"Month\",\"Sales\"\r\n\"1-01\",266.0\r\n\"1-02\",145.9\r\n1-03,183.1\r\n1-04,119.3"),
                             ("cr", "Month,Sales\r1-01,266.0\r1-02,145.9\r1-03,183.1\r1-04,119.3\r")] {
            let path = try TestSupport.temporaryFile(text, name: name)
            let series = try Series.load(csvAt: path)
            #expect(series.values == expected, "\(name)")
            #expect(series.labels == ["1-01", "1-02", "1-03", "1-04"], "\(name)")
            if name != "bom-headerless" { #expect(try Series.load(csvAt: path, column: .name("Sales")).values == expected, "\(name)") }
        }
        // Invalid UTF-8 is named with its offset; a file larger than the limit is refused without reading it all.
        let latin1 = FileManager.default.temporaryDirectory.appendingPathComponent("lstmlab-latin1-\(UUID().uuidString).csv")
        try Data([0x61, 0x2C, 0x62, 0x0A, 0x31, 0xE9, 0x2C, 0x32, 0x0A]).write(to: latin1)
        #expect(throws: TimeSeriesError.unreadableFile(path: latin1.path, reason: "not UTF-8 text (invalid byte at offset 5)")) {
            _ = try Series.load(csvAt: latin1.path)
        }
        expectOneLine(["persistence", "--data", "/dev/zero"], naming: ["not a regular file"])
    }

    // MARK: 3. reproduce --experiment that compared nothing

    /// Before: `reproduce --experiment NAME` on an experiment whose runs all failed printed nothing and exited 0.
    @Test("reproduce --experiment with no finished run exits 1 with one line")
    func reproduceNothing() throws {
        let archive = TestSupport.temporaryArchive()
        // A learning rate this large makes every run diverge: both are archived as failed.
        let message = TestSupport.inProcessError(["run", "baseline", "--name", "all-failed", "--learning-rate", "1e300", "--epochs", "2",
                                      "--repeats", "2", "--jobs", "1", "--quiet", "--archive", archive])
        #expect(message?.contains("every run failed") == true, "\(message ?? "no error")")
        try expectCleanFailure(["reproduce", "--experiment", "all-failed", "--archive", archive],
                               naming: ["all-failed", "no finished run to reproduce"])
    }

    // MARK: helpers

    /// The golden dump as a JSON object.
    private func goldenObject() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: try TestSupport.fixturePath("keras-golden-3epochs")))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    private func write(_ object: [String: Any]) throws -> String {
        try TestSupport.temporaryFile(String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self),
                                      name: "dump", extension: "json")
    }

    /// The golden dump with one field replaced by the JSON text `json`.
    private func editedDump(field: String, json: String) throws -> String {
        var object = try goldenObject()
        object[field] = try JSONSerialization.jsonObject(with: Data(json.utf8), options: .fragmentsAllowed)
        return try write(object)
    }

    /// An archive holding `baseline-keras2` with two finished runs of two epochs.
    private func smallArchive() throws -> String {
        let archive = TestSupport.temporaryArchive()
        #expect(TestSupport.inProcessError(["run", "baseline", "--epochs", "2", "--repeats", "2", "--jobs", "1", "--quiet",
                                "--archive", archive]) == nil)
        return archive
    }
}

/// Running `lstmlab` as an unprivileged user, so that file permissions apply (root ignores them).
enum Unprivileged {
    static let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let nobody: UInt32 = 65534

    /// Not root (permissions already apply), or root with `setpriv` to become `nobody`.
    static var isAvailable: Bool { getuid() != 0 || setpriv != nil }

    /// A fresh folder every user can enter and read (the default temporary folders may be private to root).
    static func sharedFolder() throws -> URL {
        let folder = URL(fileURLWithPath: "/tmp").appendingPathComponent("lstmlab-unprivileged-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        return folder
    }

    /// Makes `path` (recursively) belong to the user the commands run as.
    static func giveToNobody(_ path: String) throws {
        guard getuid() == 0 else { return }
        let paths = [path] + (FileManager.default.subpaths(atPath: path) ?? []).map { "\(path)/\($0)" }
        for item in paths { #expect(chown(item, nobody, nobody) == 0, "chown \(item)") }
    }

    /// Runs a copy of the built `lstmlab` (in a folder `nobody` can reach) as `nobody` when root, else as is.
    static func run(_ arguments: [String], in folder: URL) throws -> (status: Int32, stdout: String, stderr: String) {
        let binary = folder.appendingPathComponent("lstmlab")
        if !FileManager.default.fileExists(atPath: binary.path) {
            try FileManager.default.copyItem(at: try TestSupport.lstmlabExecutable(), to: binary)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: binary.path)
        }
        if getuid() == 0, let setpriv {
            let asNobody = ["--reuid=\(nobody)", "--regid=\(nobody)", "--clear-groups", "--", binary.path]
            return try TestSupport.runProcess(URL(fileURLWithPath: setpriv), asNobody + arguments, in: folder)
        }
        return try TestSupport.runProcess(binary, arguments, in: folder)
    }
}
