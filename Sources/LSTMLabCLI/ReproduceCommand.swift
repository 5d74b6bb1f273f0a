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
        let selection: ReproductionSelection
        switch (runID, experiment) {
        case (let id?, nil): selection = .run(try parseRunID(id))
        case (nil, let name?): selection = .experiment(name)
        default: throw CommandFailure(message: "give either a run id or --experiment NAME")
        }
        let runs = try lab.runsToReproduce(selection)
        if let name = experiment, let results = try? lab.results(of: name) { warnIfIncomplete(results) }
        let report = lab.reproduce(runs) { run in
            switch run.outcome {
            case .failure(let error):
                print("run \(run.runID): CANNOT REPRODUCE: \(oneLineMessage(for: error))")
            case .success(.identical):
                print("run \(run.runID): identical")
            case .success(.diverges(let divergence)):
                print("run \(run.runID): DIVERGES at \(divergence)")
            case .success(.otherNumerics(let recorded, let largest)):
                print("run \(run.runID): trained by numerics version \(recorded), this lstmlab computes version "
                      + "\(numericsVersion); largest deviation "
                      + (largest.map { "\(scientific($0.magnitude)) (\($0))" } ?? "none: identical"))
            }
        }
        if report.divergent > 0 {
            throw CommandFailure(message: "\(report.divergent) of \(report.runs) run(s) diverge from the archive or cannot be reproduced")
        }
        if report.runs > 1 {
            print(report.otherNumerics == 0 ? "all \(report.runs) runs identical"
                  : "\(report.runs - report.otherNumerics) run(s) identical, \(report.otherNumerics) of another numerics version compared")
        }
    }
}
