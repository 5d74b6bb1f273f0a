import Foundation
import ArgumentParser
import Experiment
import Lab
import TimeSeries

/// Which experiments to train and how: presets, experiment files (or one ad-hoc configuration), their settings, the
/// series and the snapshot interval. Shared by `run` and `slurm`, which trains the same experiments through `run`.
/// Options given override an experiment file's values; options not given take the file's, else their defaults.
struct ExperimentOptions: ParsableArguments {
    @Argument(help: "The presets or experiment files (.yaml) to run, one experiment each; omit them to run the configuration given by --place/--l1/--l2.")
    var presets: [String] = []

    @Option(name: .long, help: "The experiment's name (default: <preset>-<profile>, the file's name, or custom-<profile>); with one experiment only.")
    var name: String?

    @OptionGroup var training: TrainingOptions
    @OptionGroup var penalties: PenaltyOptions
    @OptionGroup var dataOptions: DataOptions

    @Option(name: .customLong("checkpoint-every"), help: "Keep a weight snapshot in each checkpoint every this many epochs, 0 for none (default: \(ExperimentDefaults.checkpointEvery)).")
    var checkpointEvery: Int?

    /// An argument that names an experiment file rather than a preset: it ends in .yaml or .yml, or is a file.
    static func isExperimentFile(_ argument: String) -> Bool {
        argument.hasSuffix(".yaml") || argument.hasSuffix(".yml") || FileManager.default.fileExists(atPath: argument)
    }

    /// The experiment files among the arguments.
    var experimentFiles: [String] { presets.filter(Self.isExperimentFile) }

    /// One experiment to train: its specification, where its series comes from, its snapshot interval and the file
    /// it was written in (nil for a preset or an ad-hoc configuration).
    struct Described {
        var spec: ExperimentSpec
        var data: DataSource?
        var checkpointEvery: Int
        var file: String?
    }

    /// The experiments ready to train on `jobs` cores each, and the series of the first: every value is checked, and
    /// the memory the runs need, before anything is framed or archived.
    func plans(jobs: Int) throws -> (plans: [ExperimentPlan], series: Series) {
        let described = try self.described()
        var plans: [ExperimentPlan] = []
        var seriesBySource: [String: Series] = [:]
        for experiment in described {
            try checkSetting("--checkpoint-every", experiment.checkpointEvery, SettingLimits.checkpointEvery)
            let interval = experiment.checkpointEvery > 0 ? experiment.checkpointEvery : nil
            let key = "\(String(describing: experiment.data))"
            let series = try seriesBySource[key] ?? dataOptions.loadSeries(default: experiment.data)
            seriesBySource[key] = series
            try experiment.spec.validate()
            try experiment.spec.checkMemory(seriesLength: series.values.count, jobs: jobs, snapshotInterval: interval)
            plans.append(try ExperimentPlan(spec: experiment.spec, series: series, snapshotInterval: interval,
                                            file: experiment.file))
        }
        if let first = plans.first { return (plans, first.series) }
        return (plans, try dataOptions.loadSeries(default: nil))
    }

    /// The experiments the arguments name: one per preset or file, or one ad-hoc configuration.
    func specs() throws -> [ExperimentSpec] { try described().map(\.spec) }

    func described() throws -> [Described] {
        let values = training.values
        let commandLine = ExperimentValues(checkpointEvery: checkpointEvery)
        guard !presets.isEmpty || !penalties.isEmpty else {
            throw CommandFailure(message: "name a preset (see `lstmlab presets`), an experiment file (.yaml) or an ad-hoc configuration with --place, --l1 and --l2")
        }
        guard !presets.isEmpty else {
            let settings = values.training
            let spec = ExperimentSpec(name: name ?? "custom-\(settings.profile.name)", preset: "custom",
                                      seed: values.resolvedSeed, repeats: values.resolvedRepeats, training: settings,
                                      configurations: [try penalties.configuration()])
            return [Described(spec: spec, data: nil, checkpointEvery: commandLine.resolvedCheckpointEvery, file: nil)]
        }
        guard penalties.isEmpty else {
            throw ExperimentError.invalidValue(name: "--place/--l1/--l2", value: "with \(presets[0])",
                                               allowed: "either presets and experiment files or an ad-hoc configuration")
        }
        guard name == nil || presets.count == 1 else {
            throw CommandFailure(message: "--name names one experiment; \(presets.count) presets or files make \(presets.count)")
        }
        var described: [Described] = []
        for argument in presets {
            let experiment: Described
            if Self.isExperimentFile(argument) {
                let file = try ExperimentFile(contentsOf: argument)
                let merged = commandLine.overriding(file.values)
                experiment = Described(spec: file.spec(overriding: values, name: name), data: file.data,
                                       checkpointEvery: merged.resolvedCheckpointEvery, file: file.text)
            } else {
                let file = try Preset.named(argument).file
                experiment = Described(spec: file.spec(overriding: values, name: name), data: nil,
                                       checkpointEvery: commandLine.resolvedCheckpointEvery, file: nil)
            }
            guard !described.contains(where: { $0.spec.name == experiment.spec.name }) else {
                throw CommandFailure(message: "experiment \(oneLine(experiment.spec.name)) is given twice (by \(oneLine(argument)))")
            }
            described.append(experiment)
        }
        return described
    }
}
