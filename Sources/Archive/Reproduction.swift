import Experiment
import Foundation
import Network
import TimeSeries

/// The first place where a re-trained run differs from its archived record.
public struct Divergence: Sendable, Equatable, CustomStringConvertible {
    /// What differs: `train RMSE`, `test RMSE`, `loss`, `epoch count`, `final weight #k`, `status`.
    public var quantity: String
    /// The epoch (nil for the final weights or the epoch count).
    public var epoch: Int?
    public var reproduced: Double
    public var archived: Double

    public var description: String {
        let place = epoch.map { "epoch \($0): " } ?? ""
        return "\(place)\(quantity) \(reproduced.formatted17) vs archived \(archived.formatted17)"
    }
}

extension Double {
    /// 17 significant digits: enough to tell any two doubles apart.
    var formatted17: String { String(format: "%.17g", self) }
}

/// Re-trains an archived run in memory from its recorded seed, configuration and series, and compares every epoch's
/// train and test RMSE and loss, and the final weights in its checkpoint, bit for bit. Returns nil when identical.
public func reproduceRun(_ run: RunRecord, in store: ArchiveStore) throws -> Divergence? {
    guard run.status == .finished || run.status == .failed else {
        throw ArchiveError.runNotFinished(runID: run.id!, status: run.status.rawValue)
    }
    let experiment = try store.experiment(id: run.experimentID)
    let configuration = try run.configuration()
    let task = RunTask(experiment: experiment.name, configuration: configuration, repeatIndex: run.repeatIndex,
                       runSeed: UInt64(bitPattern: run.runSeed))
    let trainer = try Trainer(series: try experiment.series(), training: configuration.training)
    let result = try trainer.train(task)
    let archived = try store.curve(runID: run.id!)
    let reproduced = result.finiteCurve
    for (mine, theirs) in zip(reproduced, archived) {
        for (name, value, recorded) in [("train RMSE", mine.trainRMSE, theirs.trainRMSE),
                                        ("test RMSE", mine.testRMSE, theirs.testRMSE),
                                        ("loss", mine.loss, theirs.loss)]
        where value.bitPattern != recorded.bitPattern {
            return Divergence(quantity: name, epoch: mine.epoch, reproduced: value, archived: recorded)
        }
    }
    guard reproduced.count == archived.count else {
        return Divergence(quantity: "epoch count", epoch: nil, reproduced: Double(reproduced.count),
                          archived: Double(archived.count))
    }
    guard run.status == .finished else {
        if case .failed(let epoch, _) = result.outcome, epoch != run.failedEpoch {
            return Divergence(quantity: "failing epoch", epoch: nil, reproduced: Double(epoch),
                              archived: Double(run.failedEpoch ?? 0))
        }
        return nil
    }
    let checkpoint = try loadVerifiedCheckpoint(of: run, in: store)
    for (index, (mine, theirs)) in zip(result.finalParameters, checkpoint.finalParameters).enumerated()
    where mine.bitPattern != theirs.bitPattern {
        return Divergence(quantity: "final weight #\(index)", epoch: nil, reproduced: mine, archived: theirs)
    }
    return nil
}

/// Reads a finished run's checkpoint after checking that its SHA-256 matches the archive.
public func loadVerifiedCheckpoint(of run: RunRecord, in store: ArchiveStore) throws -> Checkpoint {
    guard run.status == .finished, let stored = run.checkpointPath, let expected = run.checkpointSHA256 else {
        throw ArchiveError.runNotFinished(runID: run.id!, status: run.status.rawValue)
    }
    let path = store.resolveCheckpointPath(stored)
    guard FileManager.default.fileExists(atPath: path) else {
        throw ArchiveError.missingCheckpoint(runID: run.id!, path: path)
    }
    guard try sha256Hex(ofFileAt: path) == expected else { throw ArchiveError.checkpointHashMismatch(path: path) }
    return try Checkpoint.read(from: path)
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
    public var testMonths: [Month]
    public var testRMSE: Double
    public var nextMonth: Month
}

/// Forecasts with a checkpoint's weights (final, or the snapshot of `epoch`): the test rows predicted in order from
/// a reset state in batches of B as in training, and then the month after the series ends as the next row of the
/// same stateful sequence. `series` defaults to the run's own series.
public func forecastFromCheckpoint(_ checkpoint: Checkpoint, epoch: Int?, series: Series) throws -> CheckpointForecast {
    guard let parameters = checkpoint.parameters(atEpoch: epoch) else {
        throw ArchiveError.noSnapshot(epoch: epoch ?? checkpoint.epochs,
                                      available: Set(checkpoint.snapshots.map(\.epoch) + [checkpoint.epochs]).sorted())
    }
    let configuration = checkpoint.configuration
    let dataset = try SupervisedDataset(series: series, options: configuration.training.framing)
    let network = StatefulLSTM(settings: try configuration.networkSettings(), parameters: parameters)
    let rows = dataset.test
    let predictions = network.predictFromReset(inputs: rows.inputs + dataset.nextInputs, rowCount: rows.count + 1)
    let forecasts = dataset.forecasts(Array(predictions.prefix(rows.count)), for: rows)
    let next = dataset.forecast(scaledPrediction: predictions[rows.count], previousObservation: dataset.lastObservation)
    return CheckpointForecast(
        runID: checkpoint.runID, epoch: epoch ?? checkpoint.epochs,
        testMonths: rows.labels.indices.map { .init(month: rows.labels[$0], forecast: forecasts[$0], observed: rows.observed[$0]) },
        testRMSE: rootMeanSquaredError(forecasts, rows.observed),
        nextMonth: .init(month: "next", forecast: next, observed: nil))
}
