import Analysis
import ArgumentParser
import Experiment
import Foundation
import Lab

/// `lstmlab run PRESET`: trains every run of a preset (or of an ad-hoc configuration) into the archive and
/// summarises the scores. Finished runs already in the archive are skipped; unfinished or failed ones are redone.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Train an experiment: a preset, or one ad-hoc configuration given by --place/--l1/--l2.",
        discussion: "Presets: \(Preset.allCases.map(\.rawValue).joined(separator: ", ")) (see `lstmlab presets`).")

    @Argument(help: "The preset to run; omit it to run the configuration given by --place/--l1/--l2.")
    var preset: String?

    @Option(name: .long, help: "The experiment's name (default: <preset>-<profile>, or custom-<profile>).")
    var name: String?

    @OptionGroup var training: TrainingOptions
    @OptionGroup var penalties: PenaltyOptions
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var archiveOptions: ArchiveOptions

    @Option(name: .customLong("checkpoint-every"), help: "Keep a weight snapshot in each checkpoint every this many epochs (0: none).")
    var checkpointEvery = 100

    @Flag(name: .long, help: "Print only the per-configuration summaries, not each run's score.")
    var quiet = false

    func run() throws {
        // Every value is checked, and the memory the runs need, before the series is framed or the archive opened.
        try checkSetting("--checkpoint-every", checkpointEvery, SettingLimits.checkpointEvery)
        let spec = try experimentSpec()
        try spec.validate()
        let jobs = try training.scale.jobCount()
        let series = try dataOptions.loadSeries()
        let snapshotInterval = checkpointEvery > 0 ? checkpointEvery : nil
        try spec.training.checkMemory(seriesLength: series.values.count, runCount: spec.configurations.count * spec.repeats, jobs: jobs,
                                      snapshotInterval: snapshotInterval)
        let plan = try ExperimentPlan(spec: spec, series: series, snapshotInterval: snapshotInterval)
        let lab = try archiveOptions.openOrCreate()
        Interruption.shared.install()
        let quiet = self.quiet
        let start = Date()
        let progress = EpochProgress(runs: plan.spec.runs.count, epochs: plan.spec.training.epochs)
        let outcome = try lab.run(
            plan, jobs: jobs, shouldStop: { Interruption.shared.isRequested },
            onRunArchived: { result, runID in
                if !quiet { print("run \(runID)  \(scoreLine(result))") }
            },
            onEpochs: { progress.advance(by: $0) })
        let name = plan.spec.name
        print("")
        print("Experiment \(name): \(outcome.trained.count) runs of \(plan.spec.training.epochs) epochs trained in "
              + "\(fixed(Date().timeIntervalSince(start), decimals: 2)) s, \(outcome.skipped) already archived, archive \(lab.archivePath)")
        if outcome.interrupted {
            throw CommandFailure(message: "interrupted: \(outcome.notStarted) run(s) not started; run the same command again to finish")
        }
        if outcome.heldElsewhere > 0 {
            print("\(outcome.heldElsewhere) run(s) are being trained by another process; once it finishes, "
                  + "`lstmlab summary \(name)` summarises the whole experiment")
            return
        }
        do {
            printSummaries(try lab.results(of: name))
        } catch AnalysisError.noFinishedRuns {
            throw CommandFailure(message: "no run of \(name) finished: every run failed (see `lstmlab runs --experiment \(name)`)")
        }
    }

    func experimentSpec() throws -> ExperimentSpec {
        let settings = training.training
        if let preset {
            guard penalties.isEmpty else {
                throw ExperimentError.invalidValue(name: "--place/--l1/--l2", value: "with preset \(preset)",
                                                   allowed: "either a preset or an ad-hoc configuration")
            }
            return try Preset.named(preset).experiment(name: name, seed: training.scale.seed, repeats: training.scale.repeats,
                                                       training: settings)
        }
        return ExperimentSpec(name: name ?? "custom-\(settings.profile.name)", preset: "custom", seed: training.scale.seed,
                              repeats: training.scale.repeats, training: settings,
                              configurations: [try penalties.configuration()])
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
