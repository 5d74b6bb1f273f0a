import Experiment
import TimeSeries

/// An experiment ready to train: its specification checked and its series framed, before any archive is touched,
/// so a bad setting fails without a trace in the archive.
public struct ExperimentPlan: Sendable {
    public let spec: ExperimentSpec
    public let series: Series
    /// Weight snapshots kept in each checkpoint every this many epochs (nil: none).
    public let snapshotInterval: Int?
    /// One trainer per framing (lag, test size, batch size) among the runs.
    let trainers: [Trainer]

    /// The experiment file as written, recorded with the experiment (nil for a preset or an ad-hoc configuration).
    public let file: String?

    /// Checks every setting and frames the series (a lag or test size the series cannot hold fails here).
    public init(spec: ExperimentSpec, series: Series, snapshotInterval: Int? = ExperimentDefaults.checkpointEvery,
                file: String? = nil) throws {
        try spec.validate()
        if let snapshotInterval, snapshotInterval < 1 {
            throw ExperimentError.notPositive(name: "checkpoint interval", value: snapshotInterval)
        }
        self.spec = spec
        self.series = series
        self.snapshotInterval = snapshotInterval
        self.file = file
        var trainers: [Trainer] = []
        for training in spec.trainingSettings
        where !trainers.contains(where: { $0.dataset.options == training.framing }) {
            trainers.append(try Trainer(series: series, training: training, snapshotInterval: snapshotInterval))
        }
        self.trainers = trainers
    }
}
