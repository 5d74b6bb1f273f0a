import ArgumentParser
import Foundation
import LSTMLabCLI
import Testing

/// Helpers shared by the test files: fixture paths, temporary files, the built `lstmlab` binary.
enum TestSupport {
    /// The names of the Keras reference dumps shipped as test fixtures.
    static let fixtureNames = [
        "keras-golden-3epochs",
        "keras-baseline-5epochs",
        "keras-hard-sigmoid-all-penalties",
        "keras-activity-lag2",
    ] + familyFixtureNames

    /// The study family's dumps (`scripts/keras_reference.py` with its study options), each in both profiles: dropout
    /// masks and row orders recorded and replayed, stateless, walk-forward with a seeded state, lag as timesteps.
    static let familyFixtureNames = [
        "keras2-dropout-3epochs",
        "keras2-dropout-recurrent-dropout-3epochs",
        "keras2-features-lag3-3epochs",
        "keras2-recurrent-dropout-3epochs",
        "keras2-stateless-shuffle-3epochs",
        "keras2-timesteps-lag3-3epochs",
        "keras2-walk-forward-seeded-3epochs",
        "keras2-walk-forward-seeded-batch4-3epochs",
        "keras3-dropout-3epochs",
        "keras3-dropout-recurrent-dropout-3epochs",
        "keras3-features-lag3-3epochs",
        "keras3-recurrent-dropout-3epochs",
        "keras3-stateless-shuffle-3epochs",
        "keras3-timesteps-lag3-3epochs",
        "keras3-walk-forward-seeded-3epochs",
        "keras3-walk-forward-seeded-batch4-3epochs",
    ]

    /// The path of a fixture JSON file (`Fixtures/<name>.json` in the test bundle).
    static func fixturePath(_ name: String) throws -> String {
        let url = try #require(
            Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "json"),
            "fixture \(name).json is missing from the test bundle")
        return url.path
    }

    /// Writes `contents` to a fresh file in the temporary directory and returns its path.
    static func temporaryFile(_ contents: String, name: String = "data", extension ext: String = "csv") throws -> String {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("lstmlab-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent("\(name).\(ext)")
        try contents.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// A fresh, empty directory in the temporary directory.
    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("lstmlab-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// An archive path inside a fresh temporary directory, so that no test writes the default `runs/` archive.
    static func temporaryArchive() -> String {
        let directory = (try? temporaryDirectory()) ?? FileManager.default.temporaryDirectory
        return directory.appendingPathComponent("archive.sqlite").path
    }

    /// A path in the temporary directory that does not exist.
    static func missingPath() -> String {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("lstmlab-tests-missing-\(UUID().uuidString)/nothing.csv").path
    }

    /// The `lstmlab` executable built beside the test bundle (`.build/<triple>/debug/lstmlab`).
    static func lstmlabExecutable() throws -> URL {
        let candidates = [
            Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("lstmlab"),
            Bundle.main.bundleURL.appendingPathComponent("lstmlab"),
        ]
        let found = candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
        return try #require(found, "the lstmlab executable was not found beside the test bundle: \(candidates)")
    }

    /// Runs the built `lstmlab` with `arguments` in a fresh empty directory (anything written to a default relative
    /// path stays out of the package); returns its exit status, stdout and stderr.
    static func runLSTMLab(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        var environment = ProcessInfo.processInfo.environment
        environment["COLUMNS"] = "200"
        return try runProcess(try lstmlabExecutable(), arguments, in: try temporaryDirectory(), environment: environment)
    }

    /// Runs a program in `directory`; returns its exit status, stdout and stderr.
    static func runProcess(_ executable: URL, _ arguments: [String], in directory: URL,
                           environment: [String: String]? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.currentDirectoryURL = directory
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read before waiting so that a full pipe cannot block the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self),
                String(decoding: errData, as: UTF8.self))
    }

    /// Parses `arguments` as `lstmlab` would and runs the command in-process; returns the thrown error's
    /// description, or nil when it ran without error.
    static func inProcessError(_ arguments: [String]) -> String? {
        do {
            var command = try LSTMLab.parseAsRoot(arguments)
            try command.run()
            return nil
        } catch {
            return String(describing: error)
        }
    }
}

/// max |a − b| over two equal-length arrays (∞ when the lengths differ), written independently of the sources.
func largestDifference(_ a: [Double], _ b: [Double]) -> Double {
    guard a.count == b.count else { return .infinity }
    var largest = 0.0
    for index in a.indices { largest = max(largest, abs(a[index] - b[index])) }
    return largest
}
