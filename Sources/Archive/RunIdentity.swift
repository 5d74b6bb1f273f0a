import Experiment

/// A run's identity across archives: its experiment, configuration, repeat and seed (never its id).
public struct RunIdentity: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var experiment: String
    public var label: String
    public var repeatIndex: Int
    public var runSeed: UInt64

    public init(experiment: String, label: String, repeatIndex: Int, runSeed: UInt64) {
        self.experiment = experiment
        self.label = label
        self.repeatIndex = repeatIndex
        self.runSeed = runSeed
    }

    /// An archived run's identity; `experiment` is the name of the experiment it belongs to.
    public init(experiment: String, _ run: RunRecord) {
        self.init(experiment: experiment, label: run.configurationLabel, repeatIndex: run.repeatIndex,
                  runSeed: UInt64(bitPattern: run.runSeed))
    }

    /// The identity a run of the experiment named `experiment` gets when `task` is trained.
    public init(experiment: String, _ task: RunTask) {
        self.init(experiment: experiment, label: task.configuration.label, repeatIndex: task.repeatIndex,
                  runSeed: task.runSeed)
    }

    public var description: String { "\(experiment) \(label) repeat \(repeatIndex + 1) seed \(runSeed)" }

    public static func < (a: Self, b: Self) -> Bool {
        (a.experiment, a.label, a.repeatIndex, a.runSeed) < (b.experiment, b.label, b.repeatIndex, b.runSeed)
    }
}
