import ArgumentParser
import Experiment
import Lab
import TimeSeries

/// Which experiments to train and how: presets (or one ad-hoc configuration), their settings, the series and the
/// snapshot interval. Shared by `run` and `slurm`, which trains the same experiments through `run`.
struct ExperimentOptions: ParsableArguments {
    @Argument(help: "The presets to run, one experiment each; omit them to run the configuration given by --place/--l1/--l2.")
    var presets: [String] = []

    @Option(name: .long, help: "The experiment's name (default: <preset>-<profile>, or custom-<profile>); with one preset only.")
    var name: String?

    @OptionGroup var training: TrainingOptions
    @OptionGroup var penalties: PenaltyOptions
    @OptionGroup var dataOptions: DataOptions

    @Option(name: .customLong("checkpoint-every"), help: "Keep a weight snapshot in each checkpoint every this many epochs (0: none).")
    var checkpointEvery = ExperimentDefaults.checkpointEvery

    /// The weight snapshots' interval, nil for none.
    var snapshotInterval: Int? { checkpointEvery > 0 ? checkpointEvery : nil }

    /// The experiments ready to train on `jobs` cores each, and their series: every value is checked, and the memory
    /// the runs need, before anything is framed or archived.
    func plans(jobs: Int) throws -> (plans: [ExperimentPlan], series: Series) {
        try checkSetting("--checkpoint-every", checkpointEvery, SettingLimits.checkpointEvery)
        let specs = try self.specs()
        let series = try dataOptions.loadSeries()
        var plans: [ExperimentPlan] = []
        for spec in specs {
            try spec.validate()
            try spec.training.checkMemory(seriesLength: series.values.count, runCount: spec.configurations.count * spec.repeats,
                                          jobs: jobs, snapshotInterval: snapshotInterval)
            plans.append(try ExperimentPlan(spec: spec, series: series, snapshotInterval: snapshotInterval))
        }
        return (plans, series)
    }

    /// The experiments the arguments name: one per preset, or one ad-hoc configuration.
    func specs() throws -> [ExperimentSpec] {
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
}
