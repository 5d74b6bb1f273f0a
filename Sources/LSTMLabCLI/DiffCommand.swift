import ArgumentParser
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
            SHA-256 first. Both archives are only read.
            """)

    @Argument(help: ArgumentHelp("The first archive's SQLite file.", valueName: "a"))
    var first: String

    @Argument(help: ArgumentHelp("The second archive's SQLite file.", valueName: "b"))
    var second: String

    func run() throws {
        for path in [first, second] { try checkArchiveFile(path, option: "archive") }
        let comparison = try Lab.compare(archive: first, with: second)
        if let difference = comparison.firstDifference {
            throw CommandFailure(message: "the archives differ: \(difference)")
        }
        print("identical: \(comparison.experiments) experiment(s), \(comparison.runs) run(s), \(comparison.checkpoints) "
              + "checkpoint(s), bit for bit")
    }
}
