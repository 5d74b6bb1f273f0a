import Archive
import Experiment

/// Everything the archive knows about one run.
public struct RunDetails: Sendable {
    public var record: RunRecord
    public var experiment: ExperimentRecord
    public var configuration: RunConfiguration
    public var curve: [EpochRecord]
    /// The checkpoint's absolute path and state; nil when the run has none.
    public var checkpoint: (path: String, state: CheckpointState)?
    /// The command that recreates the run's experiment (and so the run).
    public var recreateCommand: String

    /// The epoch of the lowest test RMSE.
    public var bestEpoch: EpochRecord? { curve.min { $0.testRMSE < $1.testRMSE } }
}

/// A run as `lstmlab runs` lists it.
public struct RunListing: Sendable {
    public var record: RunRecord
    public var experiment: String
}

extension Lab {
    public func runDetails(id: Int64) throws -> RunDetails {
        let record = try store.run(id: id)
        let experiment = try store.experiment(id: record.experimentID)
        return RunDetails(
            record: record, experiment: experiment, configuration: try record.configuration(),
            curve: try store.curve(runID: id), checkpoint: store.checkpointState(of: record),
            recreateCommand: recreateCommand(try experiment.spec(), series: try experiment.series()))
    }

    /// Runs, optionally of one experiment and with one status, in id order.
    public func runListing(experiment: String? = nil, status: RunStatus? = nil) throws -> [RunListing] {
        let names = Dictionary(uniqueKeysWithValues: try store.experiments().map { ($0.id!, $0.name) })
        let experimentID = try experiment.map { try store.experiment(named: $0).id! }
        return try store.runs(experimentID: experimentID, status: status).map {
            RunListing(record: $0, experiment: names[$0.experimentID] ?? "?")
        }
    }

    /// Integrity, checkpoints against their hashes, orphan files and stale runs.
    public func check() throws -> ArchiveCheckReport { try checkArchive(store) }
}
