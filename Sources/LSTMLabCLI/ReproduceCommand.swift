import Archive
import ArgumentParser
import Lab
import TimeSeries

/// `lstmlab reproduce`: re-train archived runs from their seeds and prove them bit-identical.
struct ReproduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce",
        abstract: "Re-train runs in memory from their recorded seed and configuration and compare them bit for bit.",
        discussion: "Compares every epoch's train and test RMSE and loss, and the final weights in the checkpoint. "
            + "Exits non-zero on any divergence.")

    @Argument(help: "The run id to reproduce (or use --experiment).")
    var runID: String?

    @Option(name: .long, help: "Reproduce every finished run of this experiment.")
    var experiment: String?

    @OptionGroup var archiveOptions: ArchiveOptions

    func run() throws {
        let lab = try archiveOptions.openExisting()
        let runs: [RunRecord]
        switch (runID, experiment) {
        case (let id?, nil):
            runs = [try lab.store.run(id: try parseRunID(id))]
        case (nil, let name?):
            runs = try lab.finishedRuns(ofExperiment: name)
            guard !runs.isEmpty else {
                throw CommandFailure(message: "experiment '\(oneLine(name))' has no finished run to reproduce, so nothing "
                                     + "was compared (see `lstmlab runs --experiment \(oneLine(name))`)")
            }
        default:
            throw CommandFailure(message: "give either a run id or --experiment NAME")
        }
        var divergent = 0
        for record in runs {
            if let divergence = try lab.reproduce(record) {
                divergent += 1
                print("run \(record.id ?? 0): DIVERGES at \(divergence)")
            } else {
                print("run \(record.id ?? 0): identical")
            }
        }
        if divergent > 0 { throw CommandFailure(message: "\(divergent) of \(runs.count) run(s) diverge from the archive") }
        if runs.count > 1 { print("all \(runs.count) runs identical") }
    }
}
