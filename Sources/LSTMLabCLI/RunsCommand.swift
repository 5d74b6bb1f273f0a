import Analysis
import Archive
import ArgumentParser

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
        let listing = try archiveOptions.openExisting().runListing(experiment: experiment, status: status)
        print("id\texperiment\tconfiguration\trepeat\tseed\tstatus\ttrain_rmse\ttest_rmse")
        for item in listing {
            let run = item.record
            let train = run.finalTrainRMSE.map(format3) ?? "-"
            let test = run.finalTestRMSE.map(format3) ?? "-"
            print("\(run.id ?? 0)\t\(item.experiment)\t\(run.configurationLabel)\t\(run.repeatIndex + 1)\t"
                  + "\(run.runSeed)\t\(run.status.rawValue)\t\(train)\t\(test)")
        }
    }
}

extension RunStatus: ExpressibleByArgument {}
