import Archive
import ArgumentParser
import Foundation

/// `lstmlab runs`: one line per archived run.
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs", abstract: "List the archived runs, one line each.")

    @OptionGroup var archiveOptions: ArchiveOptions

    @Option(name: .long, help: "Only the runs of this experiment.")
    var experiment: String?

    @Option(name: .long, help: "Only runs with this status: running, finished, failed or interrupted.")
    var status: RunStatus?

    func run() throws {
        let store = try archiveOptions.openExisting()
        let experiments = Dictionary(uniqueKeysWithValues: try store.experiments().map { ($0.id!, $0.name) })
        let experimentID = try experiment.map { try store.experiment(named: $0).id! }
        let runs = try store.runs(experimentID: experimentID, status: status)
        print("id\texperiment\tconfiguration\trepeat\tseed\tstatus\ttrain_rmse\ttest_rmse")
        for run in runs {
            let train = run.finalTrainRMSE.map { String(format: "%.3f", $0) } ?? "-"
            let test = run.finalTestRMSE.map { String(format: "%.3f", $0) } ?? "-"
            print("\(run.id!)\t\(experiments[run.experimentID] ?? "?")\t\(run.configurationLabel)\t\(run.repeatIndex + 1)\t"
                  + "\(run.runSeed)\t\(run.status.rawValue)\t\(train)\t\(test)")
        }
    }
}

extension RunStatus: ExpressibleByArgument {}
