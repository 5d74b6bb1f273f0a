import Analysis
import Experiment
import NeuralNetwork
import TimeSeries

/// The study and its follow-ups: every chosen preset in every chosen profile, on the shampoo sales series.
public struct StudyPlan: Sendable {
    public var profiles: [KerasProfile]
    public var presets: [Preset]
    public var seed: UInt64
    public var repeats: Int
    public var epochs: Int
    /// Weight snapshots in each checkpoint every this many epochs.
    public var snapshotInterval: Int = ExperimentDefaults.checkpointEvery
    /// For the family's presets, which set their own epochs and repeats: the epochs of each study's longest runs
    /// (every epoch count it uses scaled in proportion, `ExperimentSpec.withLongestEpochs`) and the repeats, when
    /// given (a quick look at the family); nil keeps each study's own.
    public var familyEpochs: Int?
    public var familyRepeats: Int?

    public init(profiles: [KerasProfile] = KerasProfile.allCases, presets: [Preset] = Preset.allCases,
                seed: UInt64 = ExperimentDefaults.seed, repeats: Int = ExperimentDefaults.repeats,
                epochs: Int = ExperimentDefaults.epochs) {
        self.profiles = profiles
        self.presets = presets
        self.seed = seed
        self.repeats = repeats
        self.epochs = epochs
    }

    /// The experiments, profile by profile, preset by preset, each named `<preset>-<profile>`.
    public var specs: [ExperimentSpec] {
        profiles.flatMap { profile in
            presets.map { preset in
                var spec = preset.experiment(seed: seed, repeats: repeats,
                                             training: TrainingSettings(profile: profile, epochs: epochs))
                guard preset.isFamily else { return spec }
                if let familyRepeats { spec.repeats = familyRepeats }
                if let familyEpochs { spec = spec.withLongestEpochs(familyEpochs) }
                return spec
            }
        }
    }

    /// The experiments ready to train, every setting checked.
    public func experimentPlans(series: Series = .shampooSales()) throws -> [ExperimentPlan] {
        try specs.map { try ExperimentPlan(spec: $0, series: series, snapshotInterval: snapshotInterval) }
    }
}

/// How a study ended.
public enum StudyOutcome: Sendable, Equatable {
    /// Every run archived and every notebook written; the index's path.
    case completed(notebooks: Int, index: String)
    /// Every run of the shard archived; no notebook is written from a shard (merge the shards, then write them).
    case shardCompleted(Shard)
    /// Stopped before the end (an interruption); run it again to finish.
    case incomplete(experiment: String, reason: String)
    /// Every run this process could train has ended, but another process still trains `runs` of `experiment`.
    case heldElsewhere(experiment: String, runs: Int)
}

extension Lab {
    /// Trains every experiment of the study into the archive (skipping finished runs), then writes every notebook
    /// and the study index into `notebooksDirectory`. `onExperiment` is called as each experiment starts and
    /// `onRunsDone` with the number of runs archived or skipped as they are. With a `shard`, only that shard's runs of
    /// each experiment are trained, and no notebook is written.
    public func runStudy(
        _ plans: [ExperimentPlan], profiles: [KerasProfile], jobs: Int, notebooksDirectory: String, shard: Shard? = nil,
        takingOver: Bool = false,
        shouldStop: @escaping @Sendable () -> Bool = { false }, shouldAbandon: @escaping @Sendable () -> Bool = { false },
        onExperiment: (String) -> Void = { _ in }, onRunsDone: @escaping @Sendable (Int) -> Void = { _ in }
    ) throws -> StudyOutcome {
        for plan in plans {
            onExperiment(plan.spec.name)
            let outcome = try run(plan, jobs: jobs, shard: shard, takingOver: takingOver, shouldStop: shouldStop,
                                  shouldAbandon: shouldAbandon, onRunArchived: { _, _ in onRunsDone(1) })
            onRunsDone(outcome.skipped)
            if outcome.interrupted {
                return .incomplete(experiment: plan.spec.name, reason: "interrupted")
            }
            if outcome.unfinished > 0 {
                return .heldElsewhere(experiment: plan.spec.name, runs: outcome.unfinished)
            }
        }
        if let shard { return .shardCompleted(shard) }
        let names = plans.map(\.spec.name)
        for name in names { try writeNotebook(experiment: name, directory: notebooksDirectory) }
        let family = try writeFamilyNotebooks(profiles: profiles, experiments: names, directory: notebooksDirectory)
        let index = try writeStudyIndex(profiles: profiles, experiments: names, directory: notebooksDirectory)
        return .completed(notebooks: names.count + family.count, index: index)
    }
}
