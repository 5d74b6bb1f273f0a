import Analysis
import ArgumentParser
import Experiment
import Foundation
import Lab
import TimeSeries

/// `lstmlab run PRESET…`: trains every run of one or more presets (or of an ad-hoc configuration) into the archive
/// and summarises the scores. Finished runs already in the archive are skipped; unfinished or failed ones are redone.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Train experiments: presets, or one ad-hoc configuration given by --place/--l1/--l2.",
        discussion: "Presets: \(Preset.allCases.map(\.rawValue).joined(separator: ", ")) (see `lstmlab presets`).")

    @Argument(help: "The presets to run, one experiment each; omit them to run the configuration given by --place/--l1/--l2.")
    var presets: [String] = []

    @Option(name: .long, help: "The experiment's name (default: <preset>-<profile>, or custom-<profile>); with one preset only.")
    var name: String?

    @OptionGroup var training: TrainingOptions
    @OptionGroup var execution: ExecutionOptions
    @OptionGroup var penalties: PenaltyOptions
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var archiveOptions: ArchiveOptions

    @Option(name: .customLong("checkpoint-every"), help: "Keep a weight snapshot in each checkpoint every this many epochs (0: none).")
    var checkpointEvery = ExperimentDefaults.checkpointEvery

    @Flag(name: .long, help: "Print only the per-configuration summaries, not each run's score.")
    var quiet = false

    func run() throws {
        // Every value is checked, and the memory the runs need, before the series is framed or the archive opened.
        try checkSetting("--checkpoint-every", checkpointEvery, SettingLimits.checkpointEvery)
        let specs = try experimentSpecs()
        let shard = try execution.parsedShard()
        let jobs = try execution.jobCount()
        let series = try dataOptions.loadSeries()
        let snapshotInterval = checkpointEvery > 0 ? checkpointEvery : nil
        var plans: [ExperimentPlan] = []
        for spec in specs {
            try spec.validate()
            try spec.training.checkMemory(seriesLength: series.values.count, runCount: spec.configurations.count * spec.repeats,
                                          jobs: jobs, snapshotInterval: snapshotInterval)
            plans.append(try ExperimentPlan(spec: spec, series: series, snapshotInterval: snapshotInterval))
        }
        let lab = try archiveOptions.openOrCreate()
        Interruption.shared.install()
        for plan in plans { try run(plan, shard: shard, jobs: jobs, lab: lab) }
    }

    /// Trains one experiment (or its shard) and prints its scores.
    private func run(_ plan: ExperimentPlan, shard: Shard?, jobs: Int, lab: Lab) throws {
        let quiet = self.quiet
        let start = Date()
        let runCount = shard?.runs(of: plan.spec).count ?? plan.spec.runs.count
        let progress = EpochProgress(runs: runCount, epochs: plan.spec.training.epochs)
        let outcome = try lab.run(
            plan, jobs: jobs, shard: shard, takingOver: execution.takeOver, shouldStop: { Interruption.shared.isRequested },
            onRunArchived: { result, runID in
                if !quiet { print("run \(runID)  \(scoreLine(result))") }
            },
            onEpochs: { progress.advance(by: $0) })
        let name = plan.spec.name
        let what = shard.map { "shard \($0) of experiment \(name)" } ?? "Experiment \(name)"
        print("")
        print("\(what): \(outcome.trained.count) runs of \(plan.spec.training.epochs) epochs trained in "
              + "\(fixed(Date().timeIntervalSince(start), decimals: 2)) s, \(outcome.skipped) already archived, archive \(lab.archivePath)")
        if outcome.interrupted {
            throw CommandFailure(message: "interrupted: \(outcome.notStarted) run(s) not started; run the same command again to finish")
        }
        if outcome.heldElsewhere > 0 {
            print("\(outcome.heldElsewhere) run(s) are being trained by another process; once it finishes, "
                  + "`lstmlab summary \(name)` summarises the whole experiment")
            return
        }
        if shard != nil {
            print("`lstmlab merge` joins the shards' archives; summaries come from the merged archive")
            return
        }
        do {
            printSummaries(try lab.results(of: name))
        } catch AnalysisError.noFinishedRuns {
            throw CommandFailure(message: "no run of \(name) finished: every run failed (see `lstmlab runs --experiment \(name)`)")
        }
    }

    func experimentSpecs() throws -> [ExperimentSpec] {
        try LSTMLabCLI.experimentSpecs(presets: presets, name: name, training: training, penalties: penalties)
    }
}

/// The experiments of `run`'s (and `slurm`'s) arguments: one per preset, or one ad-hoc configuration.
func experimentSpecs(presets: [String], name: String?, training: TrainingOptions, penalties: PenaltyOptions) throws
    -> [ExperimentSpec]
{
    let settings = training.training
    guard !presets.isEmpty || !penalties.isEmpty else {
        throw CommandFailure(message: "name a preset (see `lstmlab presets`) or an ad-hoc configuration with --place, --l1 and --l2")
    }
    guard !presets.isEmpty else {
        return [ExperimentSpec(name: name ?? "custom-\(settings.profile.name)", preset: "custom", seed: training.scale.seed,
                               repeats: training.scale.repeats, training: settings,
                               configurations: [try penalties.configuration()])]
    }
    guard penalties.isEmpty else {
        throw ExperimentError.invalidValue(name: "--place/--l1/--l2", value: "with preset \(presets[0])",
                                           allowed: "either presets or an ad-hoc configuration")
    }
    guard name == nil || presets.count == 1 else {
        throw CommandFailure(message: "--name names one experiment; \(presets.count) presets make \(presets.count)")
    }
    var specs: [ExperimentSpec] = []
    for preset in presets {
        let spec = try Preset.named(preset).experiment(name: name, seed: training.scale.seed, repeats: training.scale.repeats,
                                                       training: settings)
        guard !specs.contains(where: { $0.name == spec.name }) else {
            throw CommandFailure(message: "preset \(oneLine(preset)) is given twice")
        }
        specs.append(spec)
    }
    return specs
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
