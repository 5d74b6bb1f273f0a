import Archive
import Experiment
import NeuralNetwork
import TimeSeries

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
    /// Everything about one run, its status as it stands now (`RunRecord.currentStatus`).
    public func runDetails(id: Int64) throws -> RunDetails {
        var record = try store.run(id: id)
        record.status = record.currentStatus
        let experiment = try store.experiment(id: record.experimentID)
        return RunDetails(
            record: record, experiment: experiment, configuration: try record.configuration(),
            curve: try store.curve(runID: id), checkpoint: store.verifiedCheckpointState(of: record),
            recreateCommand: try commandRecreating(experiment))
    }

    /// Runs, optionally of one experiment and with one status as it stands now (a run whose process is gone is
    /// `interrupted`, not `running`: `RunRecord.currentStatus`), in id order.
    public func runListing(experiment: String? = nil, status: RunStatus? = nil) throws -> [RunListing] {
        let names = Dictionary(uniqueKeysWithValues: try store.experiments().map { ($0.id!, $0.name) })
        let experimentID = try experiment.map { try store.experiment(named: $0).id! }
        let stored: RunStatus? = status == .running || status == .interrupted ? nil : status
        return try store.runs(experimentID: experimentID, status: stored).compactMap { record in
            var current = record
            current.status = record.currentStatus
            guard status == nil || current.status == status else { return nil }
            return RunListing(record: current, experiment: names[record.experimentID] ?? "?")
        }
    }

    /// Integrity, foreign keys, checkpoints (their hashes, whose they are, and the forecasts their final weights
    /// give against the stored ones: `weightsGiveArchivedForecasts`), every experiment's and run's rows against each
    /// other, orphan files and stale runs (`checkArchive`).
    public func check() throws -> ArchiveCheckReport {
        let forecasts = forecastCheck()
        return try checkArchive(store) { run, checkpoint in
            try forecasts(run, checkpoint) ? nil : Self.otherWeights
        }
    }

    /// Whether a run's verified checkpoint's final weights give its stored forecasts (on its experiment's series, read
    /// once per experiment): weights that are not the run's (another run's, or another archive's, under a matching
    /// hash and identity) are found so.
    func forecastCheck() -> (RunRecord, Checkpoint) throws -> Bool {
        var seriesByExperiment: [Int64: Series] = [:]
        return { [self] run, checkpoint in
            if seriesByExperiment[run.experimentID] == nil {
                seriesByExperiment[run.experimentID] = try store.experiment(id: run.experimentID).series()
            }
            return try weightsGiveArchivedForecasts(checkpoint, of: run, series: seriesByExperiment[run.experimentID]!)
        }
    }
}
