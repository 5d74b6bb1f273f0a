import Experiment
import TimeSeries

/// An experiment ready to train: its specification checked and its series framed, before any archive is touched,
/// so a bad setting fails without a trace in the archive.
public struct ExperimentPlan: Sendable {
    public let spec: ExperimentSpec
    public let series: Series
    /// Weight snapshots kept in each checkpoint every this many epochs (nil: none).
    public let snapshotInterval: Int?
    let trainer: Trainer

    /// Checks every setting and frames the series (a lag or test size the series cannot hold fails here).
    public init(spec: ExperimentSpec, series: Series, snapshotInterval: Int? = ExperimentDefaults.checkpointEvery) throws {
        try spec.validate()
        if let snapshotInterval, snapshotInterval < 1 {
            throw ExperimentError.notPositive(name: "checkpoint interval", value: snapshotInterval)
        }
        self.spec = spec
        self.series = series
        self.snapshotInterval = snapshotInterval
        trainer = try Trainer(series: series, training: spec.training, snapshotInterval: snapshotInterval)
    }
}
