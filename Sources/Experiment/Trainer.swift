import NeuralNetwork
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
    /// Called now and then (every `progressInterval` epochs of a run, or of a vector of runs) with the number of
    /// run-epochs trained since the last call, from the training thread: progress for long runs.
    public var onEpochs: (@Sendable (Int) -> Void)?
    /// Epochs between two `onEpochs` calls.
    public static let progressInterval = 256
    /// Polled once per epoch (of a run, or of a vector of runs), from the training thread: when it returns true,
    /// training stops and throws `TrainingCancelled`.
    public var shouldCancel: (@Sendable () -> Bool)?

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
        return try train(task, settings: settings, initialParameters: initial)
    }

    /// Trains from given initial parameters.
    public func train(_ task: RunTask, settings: NetworkSettings, initialParameters: [Double]) throws -> RunResult {
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
            if shouldCancel?() == true { throw TrainingCancelled() }
            let loss = train.inputs.withUnsafeBufferPointer { inputs in
                train.targets.withUnsafeBufferPointer { targets in
                    network.trainEpoch(inputs: inputs.baseAddress!, targets: targets.baseAddress!,
                                       rowCount: train.count)
                }
            }
            let trainRMSE = evaluate(network, rows: train, into: &trainPredictions)
            let testRMSE = evaluate(network, rows: test, into: &testPredictions)
            curve.append(EpochRecord(epoch: epoch, trainRMSE: trainRMSE, testRMSE: testRMSE, loss: loss))
            if epoch % Self.progressInterval == 0 { onEpochs?(Self.progressInterval) }
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

    /// Trains runs that share every training setting (they may differ in penalties, seeds and repeats) side by side
    /// in SIMD lanes of `width` (4 or 8; fewer tasks fill the spare lanes with copies whose results are dropped).
    /// Each run's result is bit-identical to `train(_:)` of that run alone.
    public func train(lanes tasks: [RunTask], width: Int) throws -> [RunResult] {
        precondition(!tasks.isEmpty && tasks.count <= width, "1 to \(width) tasks")
        let training = tasks[0].configuration.training
        precondition(tasks.allSatisfy { $0.configuration.training == training }, "lane-mates share their training settings")
        let settings = tasks[0].configuration.networkSettings
        let filled = tasks + Array(repeating: tasks[tasks.count - 1], count: width - tasks.count)
        let initial = filled.map { task -> [Double] in
            var random = RandomSource(seed: task.runSeed)
            return KerasInitializers.initialParameters(for: settings.shape, using: &random)
        }
        let epochs = training.epochs
        let updates = epochs * ((dataset.train.count + settings.batchSize - 1) / settings.batchSize)
        let network = NetworkLanes(
            width: width, settings: settings, regularizations: filled.map(\.configuration.configuration.regularization),
            initialParameters: initial, stepSizes: stepSizes.table(for: settings.adam, count: updates))
        let train = dataset.train, test = dataset.test
        var curves = [[EpochRecord]](repeating: [], count: tasks.count)
        for lane in curves.indices { curves[lane].reserveCapacity(epochs) }
        var snapshots = [[WeightSnapshot]](repeating: [], count: tasks.count)
        var ended = [LaneEnd?](repeating: nil, count: tasks.count)
        var losses = [Double](repeating: 0, count: width)
        var trainPredictions = [Double](repeating: 0, count: train.count * width)
        var testPredictions = [Double](repeating: 0, count: test.count * width)

        epochLoop: for epoch in 1...epochs {
            if shouldCancel?() == true { throw TrainingCancelled() }
            train.inputs.withUnsafeBufferPointer { inputs in
                train.targets.withUnsafeBufferPointer { targets in
                    losses.withUnsafeMutableBufferPointer { out in
                        network.trainEpoch(inputs: inputs.baseAddress!, targets: targets.baseAddress!,
                                           rowCount: train.count, losses: out.baseAddress!)
                    }
                }
            }
            predict(network, rows: train, into: &trainPredictions)
            predict(network, rows: test, into: &testPredictions)
            for lane in tasks.indices where ended[lane] == nil {
                let trainRMSE = rootMeanSquaredError(lane: lane, width: width, predictions: trainPredictions, rows: train)
                let testRMSE = rootMeanSquaredError(lane: lane, width: width, predictions: testPredictions, rows: test)
                curves[lane].append(EpochRecord(epoch: epoch, trainRMSE: trainRMSE, testRMSE: testRMSE, loss: losses[lane]))
                if !(losses[lane].isFinite && trainRMSE.isFinite && testRMSE.isFinite) {
                    ended[lane] = LaneEnd(
                        outcome: .failed(epoch: epoch, reason: "loss or RMSE became NaN or infinite at epoch \(epoch)"),
                        parameters: network.parameterValues(lane: lane), adam: network.adamState(lane: lane),
                        testPredictions: (0..<test.count).map { testPredictions[$0 * width + lane] })
                } else if let interval = snapshotInterval, epoch % interval == 0 {
                    snapshots[lane].append(WeightSnapshot(epoch: epoch, parameters: network.parameterValues(lane: lane)))
                }
            }
            if epoch % Self.progressInterval == 0 { onEpochs?(Self.progressInterval * tasks.count) }
            if ended.allSatisfy({ $0 != nil }) { break epochLoop }
        }
        return tasks.indices.map { lane in
            let end = ended[lane] ?? LaneEnd(
                outcome: .finished, parameters: network.parameterValues(lane: lane), adam: network.adamState(lane: lane),
                testPredictions: (0..<test.count).map { testPredictions[$0 * width + lane] })
            return RunResult(
                task: tasks[lane], outcome: end.outcome, curve: curves[lane], initialParameters: initial[lane],
                finalParameters: end.parameters, adamState: end.adam, snapshots: snapshots[lane],
                testForecasts: dataset.forecasts(end.testPredictions, for: test), testObserved: test.observed,
                testLabels: test.labels, scaler: dataset.scaler, laneWidth: width)
        }
    }

    /// How a lane's run ended: its outcome and its state at that epoch.
    private struct LaneEnd {
        var outcome: RunOutcome
        var parameters: [Double]
        var adam: AdamState
        var testPredictions: [Double]
    }

    /// Predicts `rows` for every lane from a reset state, resetting again after.
    private func predict(_ network: NetworkLanes, rows: SupervisedRows, into predictions: inout [Double]) {
        network.resetState()
        rows.inputs.withUnsafeBufferPointer { inputs in
            predictions.withUnsafeMutableBufferPointer { output in
                network.predict(inputs: inputs.baseAddress!, rowCount: rows.count, into: output.baseAddress!)
            }
        }
        network.resetState()
    }

    /// One lane's RMSE in sales units, computed as `evaluate` computes it for a run alone.
    private func rootMeanSquaredError(lane: Int, width: Int, predictions: [Double], rows: SupervisedRows) -> Double {
        var sum = 0.0
        for row in 0..<rows.count {
            let forecast = dataset.forecast(scaledPrediction: predictions[row * width + lane],
                                            previousObservation: rows.previousObservations[row])
            let error = forecast - rows.observed[row]
            sum += error * error
        }
        return (sum / Double(rows.count)).squareRoot()
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
