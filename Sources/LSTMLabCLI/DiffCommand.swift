import Archive
import ArgumentParser
import Foundation
import Lab

/// `lstmlab diff A B`: whether two archives hold the same results, bit for bit.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two archives' results bit for bit (ids, timestamps and hosts aside); exit 1 at the first difference.",
        discussion: """
            The same experiments (specification and series), the same runs (experiment, configuration, repeat, seed) \
            with the same status, numerics version, every epoch's train and test RMSE and loss, scores, forecasts, \
            and checkpoint contents (weights, snapshots, Adam's state, scaler), each checkpoint checked against its \
            SHA-256 first. Both archives are only read. Exit status: 0 when the same, 1 when they differ, 2 when they \
            cannot be compared (a missing or damaged archive or checkpoint).
            """)

    @Argument(help: ArgumentHelp("The first archive's SQLite file.", valueName: "a"))
    var first: String

    @Argument(help: ArgumentHelp("The second archive's SQLite file.", valueName: "b"))
    var second: String

    func run() throws {
        let comparison: ArchiveComparison
        do {
            for path in [first, second] { try checkExistingArchiveFile(path, option: "archive") }
            comparison = try Lab.compare(archive: first, with: second)
        } catch {
            // Like cmp(1) and diff(1): trouble is 2, so that 1 always means "they differ".
            FileHandle.standardError.write(Data("Error: \(oneLineMessage(for: error))\n".utf8))
            throw ExitCode(2)
        }
        if let difference = comparison.firstDifference {
            throw CommandFailure(message: "the archives differ: \(difference)")
        }
        print("identical: \(comparison.experiments) experiment(s), \(comparison.runs) run(s), \(comparison.checkpoints) "
              + "checkpoint(s), bit for bit")
    }
}
