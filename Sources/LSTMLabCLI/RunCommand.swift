import Analysis
import ArgumentParser
import Experiment
import Foundation
import Lab
import TimeSeries

/// `lstmlab run PRESET|FILE.yaml…`: trains every run of one or more presets or experiment files (or of an ad-hoc
/// configuration) into the archive
/// and summarises the scores. Finished runs already in the archive are skipped; unfinished or failed ones are redone.
/// Exits 0 only when every experiment asked for is complete in the archive.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Train experiments: presets, experiment files (.yaml), or one ad-hoc configuration given by --place/--l1/--l2.",
        discussion: "Presets: \(Preset.allCases.map(\.rawValue).joined(separator: ", ")) (see `lstmlab presets`). "
            + "Options given override an experiment file's shared values (`lstmlab run f.yaml --epochs 50`); a "
            + "configuration's own keys stand (`run epochs --epochs 50` still trains 500 to 6000 epochs, where `study "
            + "--epochs` scales them); see the README for the file's keys. Exit status: 0 when "
            + "every run of each experiment (or shard) has ended (finished or failed) in the archive; 1 after an error or "
            + "an interruption (Ctrl-C or SIGTERM: the runs in flight finish for at most 10 s, or stop at a second "
            + "signal, marked interrupted and redone by the next run); 3 when another process still trains some runs.")

    @OptionGroup var experiment: ExperimentOptions
    @OptionGroup var execution: ExecutionOptions
    @OptionGroup var archiveOptions: ArchiveOptions

    @Flag(name: .long, help: "Print only the per-configuration summaries, not each run's score.")
    var quiet = false

    func run() throws {
        // Every value is checked, and the memory the runs need, before the series is framed or the archive opened.
        let shard = try execution.parsedShard()
        let jobs = try execution.jobCount()
        let plans = try experiment.plans(jobs: jobs).plans
        let lab = try archiveOptions.openOrCreate()
        Interruption.shared.install()
        // The exit status says whether every experiment (or shard) asked for is complete: 0 only when each of its runs
        // has ended (finished or failed) in the archive; 3 when another process still trains some of them.
        var incomplete: [String] = []
        for plan in plans {
            if let reason = try run(plan, shard: shard, jobs: jobs, lab: lab) { incomplete.append(reason) }
        }
        guard incomplete.isEmpty else {
            FileHandle.standardError.write(Data("incomplete: \(incomplete.joined(separator: "; "))\n".utf8))
            throw ExitCode(Self.incompleteStatus)
        }
    }

    /// The exit status when every run this process could train has ended but another process still trains some.
    static let incompleteStatus: Int32 = 3

    /// Trains one experiment (or its shard) and prints its scores; returns why it is not complete (runs another
    /// process still trains), nil when it is. An interruption is thrown.
    private func run(_ plan: ExperimentPlan, shard: Shard?, jobs: Int, lab: Lab) throws -> String? {
        let quiet = self.quiet
        let start = Date()
        let runs = shard?.runs(of: plan.spec) ?? plan.spec.runs
        let epochs = runs.map(\.configuration.training.epochs)
        let progress = EpochProgress(runs: runs.count, epochs: epochs.reduce(0, +) / max(1, runs.count))
        let lengths = Set(plan.spec.trainingSettings.map(\.epochs)).sorted()
        let length = lengths.count > 1 ? "\(lengths.first!)–\(lengths.last!)" : "\(lengths.first ?? plan.spec.training.epochs)"
        let outcome = try lab.run(
            plan, jobs: jobs, shard: shard, takingOver: execution.takeOver, shouldStop: { Interruption.shared.isRequested },
            shouldAbandon: { Interruption.shared.isAbandoning },
            onRunArchived: { result, runID in
                if !quiet { print("run \(runID)  \(scoreLine(result))") }
            },
            onEpochs: { progress.advance(by: $0) })
        let name = plan.spec.name
        let what = shard.map { "shard \($0) of experiment \(name)" } ?? "Experiment \(name)"
        print("")
        print("\(what): \(outcome.trained.count) runs of \(length) epochs trained in "
              + "\(fixed(Date().timeIntervalSince(start), decimals: 2)) s, \(outcome.skipped) already archived, archive \(lab.archivePath)")
        if outcome.interrupted {
            throw CommandFailure(message: "interrupted: \(outcome.notStarted) run(s) of \(name) not finished (any in flight are "
                                 + "marked interrupted); run the same command again to finish")
        }
        if outcome.unfinished > 0 {
            print("\(outcome.unfinished) run(s) are being trained by another process; once it finishes, "
                  + "`lstmlab summary \(name)` summarises the whole experiment")
            return "\(outcome.unfinished) run(s) of \(name) are being trained by another process"
        }
        if shard != nil {
            print("`lstmlab merge` joins the shards' archives; summaries come from the merged archive")
            return nil
        }
        do {
            printSummaries(try lab.results(of: name))
        } catch AnalysisError.noFinishedRuns {
            throw CommandFailure(message: "no run of \(name) finished: every run failed (see `lstmlab runs --experiment \(name)`)")
        }
        return nil
    }

}

/// One line per run: configuration, repeat, seed and its score (or why it failed).
func scoreLine(_ result: RunResult) -> String {
    let task = result.task
    let head = "\(task.configuration.label)  repeat \(task.repeatIndex + 1)  seed \(task.runSeed)"
    switch result.outcome {
    case .finished:
        return "\(head)  test RMSE \(format3(result.finalTestRMSE ?? .nan))"
    case .failed(_, let reason):
        return "\(head)  FAILED: \(reason)"
    }
}

/// Per configuration, the pandas `describe()` of its finished runs' test RMSE, and the failed runs' count.
func printSummaries(_ results: ExperimentResults) {
    for configuration in results.configurations where configuration.failedCount > 0 {
        print("\(configuration.label): \(configuration.failedCount) failed run(s) not scored")
    }
    print("")
    print(SummaryTable(results).text)
}
