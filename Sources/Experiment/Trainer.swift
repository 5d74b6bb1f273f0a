import Network
import Synchronization
import TimeSeries

/// Trains one run as SPEC §2 and §5 describe: each epoch one ordered pass over the trimmed training rows with one
/// Adam step per batch and a state reset, then the train and test RMSE in sales units, each predicted from a reset
/// state. The test RMSE after the last epoch is the run's score.
public struct Trainer: Sendable {
    public var dataset: SupervisedDataset
    /// Copy the weights every this many epochs (nil: no snapshots).
    public var snapshotInterval: Int?
    /// Adam's step sizes, computed once for all the runs this trainer trains.
    private let stepSizes = StepSizeCache()

    public init(dataset: SupervisedDataset, snapshotInterval: Int? = nil) {
        self.dataset = dataset
        self.snapshotInterval = snapshotInterval
    }

    /// The dataset a run configuration frames from a series.
    public init(series: Series, training: TrainingSettings, snapshotInterval: Int? = nil) throws {
        try training.validate()
        self.init(dataset: try SupervisedDataset(series: series, options: training.framing),
                  snapshotInterval: snapshotInterval)
    }

    /// Trains from the Keras initial weights drawn with the task's run seed.
    public func train(_ task: RunTask) throws -> RunResult {
        let settings = task.configuration.networkSettings
        var random = RandomSource(seed: task.runSeed)
        let initial = KerasInitializers.initialParameters(for: settings.shape, using: &random)
        return train(task, settings: settings, initialParameters: initial)
    }

    /// Trains from given initial parameters.
    public func train(_ task: RunTask, settings: NetworkSettings, initialParameters: [Double]) -> RunResult {
        let epochs = task.configuration.training.epochs
        let updates = epochs * ((dataset.train.count + settings.batchSize - 1) / settings.batchSize)
        let network = StatefulLSTM(settings: settings, parameters: initialParameters,
                                   stepSizes: stepSizes.table(for: settings.adam, count: updates))
        let train = dataset.train, test = dataset.test
        var curve: [EpochRecord] = []
        curve.reserveCapacity(epochs)
        var snapshots: [WeightSnapshot] = []
        var outcome = RunOutcome.finished
        var trainPredictions = [Double](repeating: 0, count: train.count)
        var testPredictions = [Double](repeating: 0, count: test.count)

        for epoch in 1...epochs {
            let loss = train.inputs.withUnsafeBufferPointer { inputs in
                train.targets.withUnsafeBufferPointer { targets in
                    network.trainEpoch(inputs: inputs.baseAddress!, targets: targets.baseAddress!,
                                       rowCount: train.count)
                }
            }
            let trainRMSE = evaluate(network, rows: train, into: &trainPredictions)
            let testRMSE = evaluate(network, rows: test, into: &testPredictions)
            curve.append(EpochRecord(epoch: epoch, trainRMSE: trainRMSE, testRMSE: testRMSE, loss: loss))
            guard loss.isFinite, trainRMSE.isFinite, testRMSE.isFinite else {
                outcome = .failed(epoch: epoch, reason: "loss or RMSE became NaN or infinite at epoch \(epoch)")
                break
            }
            if let interval = snapshotInterval, epoch % interval == 0 {
                snapshots.append(WeightSnapshot(epoch: epoch, parameters: network.parameterValues))
            }
        }
        return RunResult(
            task: task, outcome: outcome, curve: curve, initialParameters: initialParameters,
            finalParameters: network.parameterValues, adamState: network.adamState, snapshots: snapshots,
            testForecasts: dataset.forecasts(testPredictions, for: test), testObserved: test.observed,
            testLabels: test.labels, scaler: dataset.scaler)
    }

    /// Predicts `rows` from a reset state (resetting again after), turns them into sales forecasts and returns their
    /// RMSE against the observed sales. The scaled predictions are left in `predictions`.
    func evaluate(_ network: StatefulLSTM, rows: SupervisedRows, into predictions: inout [Double]) -> Double {
        network.resetState()
        let count = rows.count
        rows.inputs.withUnsafeBufferPointer { inputs in
            predictions.withUnsafeMutableBufferPointer { output in
                network.predict(inputs: inputs.baseAddress!, rowCount: count, into: output.baseAddress!)
            }
        }
        network.resetState()
        var sum = 0.0
        for row in 0..<count {
            let forecast = dataset.forecast(scaledPrediction: predictions[row],
                                            previousObservation: rows.previousObservations[row])
            let error = forecast - rows.observed[row]
            sum += error * error
        }
        return (sum / Double(count)).squareRoot()
    }
}

/// Adam step-size tables by settings, shared by the runs of one trainer across threads.
final class StepSizeCache: Sendable {
    private let tables = Mutex([AdamSettings: [Double]]())

    func table(for settings: AdamSettings, count: Int) -> [Double] {
        if let table = tables.withLock({ $0[settings] }), table.count >= count { return table }
        let table = settings.stepSizes(count: count)
        tables.withLock { $0[settings] = table }
        return table
    }
}
