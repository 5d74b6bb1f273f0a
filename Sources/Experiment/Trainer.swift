import NeuralNetwork
import Synchronization
import TimeSeries

/// Trains runs as SPEC §2 and §5 describe: each epoch one pass over the trimmed training rows (in order, or shuffled)
/// with one Adam step per batch and a state reset, then the train and test RMSE in sales units, each predicted from a
/// reset state (the test months from the state the training rows leave when `seedState`), in the run's forecast mode.
/// The test RMSE after the last epoch is the run's score.
///
/// One training path: runs that share every training setting (they may differ in penalties, seeds and repeats) train
/// side by side in the lanes of a `LaneKernel`; a run alone is the one-run case. Each run's result is bit-identical
/// whatever the kernel, its lane-mates or its lane.
public struct Trainer: Sendable {
    public var dataset: SupervisedDataset
    /// Copy the weights every this many epochs (nil: no snapshots).
    public var snapshotInterval: Int?
    /// Adam's step sizes, computed once for all the runs this trainer trains.
    private let stepSizes = StepSizeCache()
    /// Called now and then (every `progressInterval` epochs of a vector of runs) with the number of run-epochs trained
    /// since the last call, from the training thread: progress for long runs.
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

    /// Trains one run from the Keras initial weights drawn with its run seed.
    public func train(_ task: RunTask, kernel: LaneKernel = .scalar) throws -> RunResult {
        try train(lanes: [task], kernel: kernel)[0]
    }

    /// Trains up to `kernel.laneCount` runs that share a network (`TrainingSettings.sharedNetwork`) side by side, each
    /// from the Keras initial weights drawn with its run seed, for its own epochs, with its own penalties and learning
    /// rate; spare lanes train copies of the last run, whose results are dropped.
    public func train(lanes tasks: [RunTask], kernel: LaneKernel) throws -> [RunResult] {
        let width = kernel.laneCount
        precondition(!tasks.isEmpty && tasks.count <= width, "1 to \(width) tasks")
        let shared = tasks[0].configuration.training.sharedNetwork
        precondition(tasks.allSatisfy { $0.configuration.training.sharedNetwork == shared }, "lane-mates share a network")
        let settings = tasks[0].configuration.networkSettings
        let filled = tasks + Array(repeating: tasks[tasks.count - 1], count: width - tasks.count)
        let batches = (dataset.train.count + settings.batchSize - 1) / settings.batchSize
        let runs = filled.map { task -> LaneRun in
            var random = RandomSource(seed: task.runSeed)
            let configuration = task.configuration
            return LaneRun(
                regularization: configuration.configuration.regularization,
                learningRate: configuration.training.learningRate,
                stepSizes: stepSizes.table(for: configuration.networkSettings.adam,
                                           count: configuration.training.epochs * batches),
                initialParameters: KerasInitializers.initialParameters(for: settings.shape, using: &random),
                random: random)
        }
        let network = kernel.engine(settings: settings, runs: runs)
        let epochs = tasks.map(\.configuration.training.epochs)
        let train = dataset.train, test = dataset.test
        var curves = tasks.indices.map { lane -> [EpochRecord] in
            var curve: [EpochRecord] = []
            curve.reserveCapacity(epochs[lane])
            return curve
        }
        var snapshots = [[WeightSnapshot]](repeating: [], count: tasks.count)
        var ended = [LaneEnd?](repeating: nil, count: tasks.count)
        var losses = [Double](repeating: 0, count: width)
        var trainPredictions = [Double](repeating: 0, count: train.count * width)
        var testPredictions = [Double](repeating: 0, count: test.count * width)
        func end(_ lane: Int, _ outcome: RunOutcome) {
            ended[lane] = LaneEnd(
                outcome: outcome, parameters: network.parameterValues(lane: lane), adam: network.adamState(lane: lane),
                testPredictions: (0..<test.count).map { testPredictions[$0 * width + lane] })
        }

        for epoch in 1...(epochs.max() ?? 1) {
            if shouldCancel?() == true { throw TrainingCancelled() }
            train.inputs.withUnsafeBufferPointer { inputs in
                train.targets.withUnsafeBufferPointer { targets in
                    losses.withUnsafeMutableBufferPointer { out in
                        network.trainEpoch(inputs: inputs.baseAddress!, targets: targets.baseAddress!,
                                           rowCount: train.count, losses: out.baseAddress!)
                    }
                }
            }
            evaluate(network, training: tasks[0].configuration.training, trainInto: &trainPredictions,
                     testInto: &testPredictions)
            for lane in tasks.indices where ended[lane] == nil {
                let trainRMSE = rootMeanSquaredError(lane: lane, width: width, predictions: trainPredictions, rows: train)
                let testRMSE = rootMeanSquaredError(lane: lane, width: width, predictions: testPredictions, rows: test)
                curves[lane].append(EpochRecord(epoch: epoch, trainRMSE: trainRMSE, testRMSE: testRMSE, loss: losses[lane]))
                if !(losses[lane].isFinite && trainRMSE.isFinite && testRMSE.isFinite) {
                    end(lane, .failed(epoch: epoch, reason: "loss or RMSE became NaN or infinite at epoch \(epoch)"))
                    continue
                }
                if let interval = snapshotInterval, epoch % interval == 0 {
                    snapshots[lane].append(WeightSnapshot(epoch: epoch, parameters: network.parameterValues(lane: lane)))
                }
                if epoch == epochs[lane] { end(lane, .finished) }
            }
            if epoch % Self.progressInterval == 0 { onEpochs?(Self.progressInterval * tasks.count) }
            if ended.allSatisfy({ $0 != nil }) { break }
        }
        return tasks.indices.map { lane in
            let end = ended[lane]!
            return RunResult(
                task: tasks[lane], outcome: end.outcome, curve: curves[lane], initialParameters: runs[lane].initialParameters,
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

    /// Predicts the training rows and the test rows for every lane, `rowsPerPrediction` rows per call, each from a reset
    /// state, or, with `seedState`, the test rows from the state the training rows leave; resets after.
    private func evaluate(_ network: LaneEngine, training: TrainingSettings, trainInto trainPredictions: inout [Double],
                          testInto testPredictions: inout [Double]) {
        network.resetState()
        predict(network, rows: dataset.train, rowsPerCall: training.rowsPerPrediction, into: &trainPredictions)
        if !training.seedState { network.resetState() }
        predict(network, rows: dataset.test, rowsPerCall: training.rowsPerPrediction, into: &testPredictions)
        network.resetState()
    }

    private func predict(_ network: LaneEngine, rows: SupervisedRows, rowsPerCall: Int, into predictions: inout [Double]) {
        rows.inputs.withUnsafeBufferPointer { inputs in
            predictions.withUnsafeMutableBufferPointer { output in
                network.predict(inputs: inputs.baseAddress!, rowCount: rows.count, rowsPerCall: rowsPerCall,
                                into: output.baseAddress!)
            }
        }
    }

    /// One lane's RMSE in sales units: its scaled predictions inverted into forecasts (`SupervisedDataset.forecast`)
    /// against the observed sales.
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
