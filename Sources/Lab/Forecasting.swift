import Archive
import Experiment
import NeuralNetwork
import TimeSeries

extension Lab {
    /// Forecasts from a finished run's verified checkpoint: its final weights, or the snapshot after `epoch`. The
    /// series defaults to the one the run was trained on; another is named as such in the result (`isRunSeries`).
    public func forecast(runID: Int64, epoch: Int? = nil, series: Series? = nil) throws -> CheckpointForecast {
        let run = try store.run(id: runID)
        let runSeries = try store.experiment(id: run.experimentID).series()
        let checkpoint = try loadTrustedCheckpoint(of: run, series: runSeries)
        var forecast = try Lab.forecast(from: checkpoint, epoch: epoch, series: series ?? runSeries)
        forecast.runSeries = runSeries.name
        if let series {
            forecast.series = series.name
            forecast.isRunSeries = series.values == runSeries.values && series.labels == runSeries.labels
        }
        return forecast
    }
}

extension Lab {
    /// A finished run's checkpoint, verified (`ArchiveStore.loadVerifiedCheckpoint`: its SHA-256, and the run, seed,
    /// experiment and configuration it names), and whose final weights give the run's archived test forecasts (bit for
    /// bit for a run of this numerics version, within 1e-6 relative for one of another): weights that are not the
    /// run's, under a matching hash and identity, are refused too. `series` is the run's own.
    func loadTrustedCheckpoint(of run: RunRecord, series: Series) throws -> Checkpoint {
        let checkpoint = try store.loadVerifiedCheckpoint(of: run)
        guard try weightsGiveArchivedForecasts(checkpoint, of: run, series: series) else {
            throw ArchiveError.checkpointOfAnotherRun(
                runID: run.id!, path: store.resolveCheckpointPath(run.checkpointPath ?? ""), mismatch: Self.otherWeights)
        }
        return checkpoint
    }

    static let otherWeights = "its final weights do not give the run's archived forecasts"

    /// Whether a checkpoint's final weights give the run's archived test forecasts on `series` (see
    /// `loadTrustedCheckpoint`).
    func weightsGiveArchivedForecasts(_ checkpoint: Checkpoint, of run: RunRecord, series: Series) throws -> Bool {
        let stored = try store.forecasts(runID: run.id!).map(\.forecast)
        let computed = (try? Lab.forecast(from: checkpoint, epoch: nil, series: series))?.testMonths.map(\.forecast) ?? []
        return stored.count == computed.count && zip(stored, computed).allSatisfy { a, b in
            run.numericsVersion == numericsVersion ? a.bitPattern == b.bitPattern : abs(a - b) <= 1e-6 * max(1, abs(a))
        }
    }
}

/// A forecast of the test months and of the month after the series ends, from a checkpoint's weights.
public struct CheckpointForecast: Sendable, Equatable, Codable {
    public struct Month: Sendable, Equatable, Codable {
        public var month: String
        public var forecast: Double
        /// nil for the month after the series ends.
        public var observed: Double?
    }

    public var runID: Int64
    /// The epoch whose weights were used.
    public var epoch: Int
    /// The series forecast, and the series the run was trained on (by name): the same unless `isRunSeries` is false.
    public var series: String
    public var runSeries: String
    public var isRunSeries: Bool
    public var testMonths: [Month]
    public var testRMSE: Double
    public var nextMonth: Month
}

extension Lab {
    /// Forecasts with a checkpoint's weights (final, or the snapshot of `epoch`): the test rows predicted in order from
    /// a reset state (or from the state the training rows leave, when the run seeds the state) in the run's forecast
    /// mode as in training, and then the month after the series ends as the next row of the same sequence. `series`
    /// defaults to the run's own series.
    public static func forecast(from checkpoint: Checkpoint, epoch: Int?, series: Series) throws -> CheckpointForecast {
        guard let parameters = checkpoint.parameters(atEpoch: epoch) else {
            throw ArchiveError.noSnapshot(epoch: epoch ?? checkpoint.epochs,
                                          available: Set(checkpoint.snapshots.map(\.epoch) + [checkpoint.epochs]).sorted())
        }
        let configuration = checkpoint.configuration
        let dataset = try SupervisedDataset(series: series, options: configuration.training.framing)
        let network = LSTMNetwork<Double>(settings: configuration.networkSettings, parameters: parameters)
        let rows = dataset.test, training = configuration.training
        let seedRows = training.seedState ? dataset.train.count : 0
        let predictions = Array(network.predictFromReset(
            inputs: (training.seedState ? dataset.train.inputs : []) + rows.inputs + dataset.nextInputs,
            rowCount: seedRows + rows.count + 1, rowsPerCall: training.rowsPerPrediction).dropFirst(seedRows))
        let forecasts = dataset.forecasts(Array(predictions.prefix(rows.count)), for: rows)
        let next = dataset.forecast(scaledPrediction: predictions[rows.count], previousObservation: dataset.lastObservation)
        return CheckpointForecast(
            runID: checkpoint.runID, epoch: epoch ?? checkpoint.epochs, series: series.name, runSeries: series.name,
            isRunSeries: true,
            testMonths: rows.labels.indices.map { .init(month: rows.labels[$0], forecast: forecasts[$0], observed: rows.observed[$0]) },
            testRMSE: rootMeanSquaredError(forecasts, rows.observed),
            nextMonth: .init(month: "next", forecast: next, observed: nil))
    }
}
