import Analysis
import Archive
import ArgumentParser
import Lab
import NeuralNetwork
import TimeSeries

/// `lstmlab reproduce`: re-train archived runs from their seeds and prove them bit-identical.
struct ReproduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce",
        abstract: "Re-train runs in memory from their recorded seed and configuration and compare them bit for bit.",
        discussion: "Compares every epoch's train and test RMSE and loss, the final scores and test forecasts, and the "
            + "checkpoint's contents (final and initial weights, every snapshot, Adam's state, the scaler). Exits non-zero "
            + "on any divergence.")

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
        if let name = experiment, let results = try? lab.results(of: name) { warnIfIncomplete(results) }
        var divergent = 0, otherNumerics = 0
        for record in runs {
            let id = record.id ?? 0
            let reproduction: Reproduction
            do {
                reproduction = try lab.reproduce(record)
            } catch {
                // One run that cannot be re-trained or compared (e.g. its checkpoint is gone) does not stop the others.
                divergent += 1
                print("run \(id): CANNOT REPRODUCE: \(oneLineMessage(for: error))")
                continue
            }
            switch reproduction {
            case .identical:
                print("run \(id): identical")
            case .diverges(let divergence):
                divergent += 1
                print("run \(id): DIVERGES at \(divergence)")
            case .otherNumerics(let recorded, let largest):
                otherNumerics += 1
                print("run \(id): trained by numerics version \(recorded), this lstmlab computes version "
                      + "\(numericsVersion); largest deviation "
                      + (largest.map { "\(scientific($0.magnitude)) (\($0))" } ?? "none: identical"))
            }
        }
        if divergent > 0 {
            throw CommandFailure(message: "\(divergent) of \(runs.count) run(s) diverge from the archive or cannot be reproduced")
        }
        if runs.count > 1 {
            print(otherNumerics == 0 ? "all \(runs.count) runs identical"
                  : "\(runs.count - otherNumerics) run(s) identical, \(otherNumerics) of another numerics version compared")
        }
    }
}
