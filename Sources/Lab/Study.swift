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
            presets.map { $0.experiment(seed: seed, repeats: repeats, training: TrainingSettings(profile: profile, epochs: epochs)) }
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
    /// Stopped before the end (an interruption, or runs held by another process); run it again to finish.
    case incomplete(experiment: String, reason: String)
}

extension Lab {
    /// Trains every experiment of the study into the archive (skipping finished runs), then writes every notebook
    /// and the study index into `notebooksDirectory`. `onExperiment` is called as each experiment starts and
    /// `onRunsDone` with the number of runs archived or skipped as they are.
    public func runStudy(
        _ plans: [ExperimentPlan], profiles: [KerasProfile], jobs: Int, notebooksDirectory: String,
        shouldStop: @escaping @Sendable () -> Bool = { false },
        onExperiment: (String) -> Void = { _ in }, onRunsDone: @escaping @Sendable (Int) -> Void = { _ in }
    ) throws -> StudyOutcome {
        for plan in plans {
            onExperiment(plan.spec.name)
            let outcome = try run(plan, jobs: jobs, shouldStop: shouldStop, onRunArchived: { _, _ in onRunsDone(1) })
            onRunsDone(outcome.skipped)
            if outcome.interrupted {
                return .incomplete(experiment: plan.spec.name, reason: "interrupted")
            }
            if outcome.heldElsewhere > 0 {
                return .incomplete(experiment: plan.spec.name,
                                   reason: "\(outcome.heldElsewhere) run(s) are being trained by another process")
            }
        }
        let names = plans.map(\.spec.name)
        for name in names { try writeNotebook(experiment: name, directory: notebooksDirectory) }
        let index = try writeStudyIndex(profiles: profiles, experiments: names, directory: notebooksDirectory)
        return .completed(notebooks: names.count, index: index)
    }
}
