import NeuralNetwork
import TimeSeries

/// One epoch of a run's behaviour-dynamics curve (SPEC §5): RMSE in sales units and Keras's epoch loss.
public struct EpochRecord: Sendable, Equatable, Codable {
    public var epoch: Int
    public var trainRMSE: Double
    public var testRMSE: Double
    public var loss: Double

    public init(epoch: Int, trainRMSE: Double, testRMSE: Double, loss: Double) {
        self.epoch = epoch
        self.trainRMSE = trainRMSE
        self.testRMSE = testRMSE
        self.loss = loss
    }
}

/// How a run ended.
public enum RunOutcome: Sendable, Equatable, Codable {
    case finished
    /// The loss or a prediction became NaN or infinite at this epoch; the run is not scored.
    case failed(epoch: Int, reason: String)
}

/// Parameters copied at the end of an epoch, for forecasting from an earlier point of training.
public struct WeightSnapshot: Sendable, Equatable {
    public var epoch: Int
    public var parameters: [Double]

    public init(epoch: Int, parameters: [Double]) {
        self.epoch = epoch
        self.parameters = parameters
    }
}

/// Everything one run produced. Two results are equal when everything the run computed is; `laneWidth`, how it was
/// packed, is not part of its result.
public struct RunResult: Sendable, Equatable {
    public var task: RunTask
    public var outcome: RunOutcome
    /// One record per completed epoch (all of them for a finished run).
    public var curve: [EpochRecord]
    public var initialParameters: [Double]
    public var finalParameters: [Double]
    public var adamState: AdamState
    public var snapshots: [WeightSnapshot]
    /// The test months' forecasts after the last epoch, in sales units, beside the observed values.
    public var testForecasts: [Double]
    public var testObserved: [Double]
    public var testLabels: [String]
    public var scaler: MinMaxScaler
    /// How many runs trained side by side in the SIMD vector that trained this one (1: alone); the results do not
    /// depend on it.
    public var laneWidth: Int = 1

    public static func == (a: RunResult, b: RunResult) -> Bool {
        a.task == b.task && a.outcome == b.outcome && a.curve == b.curve && a.initialParameters == b.initialParameters
            && a.finalParameters == b.finalParameters && a.adamState == b.adamState && a.snapshots == b.snapshots
            && a.testForecasts == b.testForecasts && a.testObserved == b.testObserved && a.testLabels == b.testLabels
            && a.scaler == b.scaler
    }

    /// The epochs whose loss and RMSEs are all finite: every epoch of a finished run, and those before the failing
    /// one of a failed run (what the archive stores; the failing epoch is recorded with the failure).
    public var finiteCurve: [EpochRecord] {
        curve.filter { $0.loss.isFinite && $0.trainRMSE.isFinite && $0.testRMSE.isFinite }
    }

    /// The run's score: the test RMSE after the last epoch (nil for a failed run).
    public var finalTestRMSE: Double? {
        guard outcome == .finished else { return nil }
        return curve.last?.testRMSE
    }

    public var finalTrainRMSE: Double? {
        guard outcome == .finished else { return nil }
        return curve.last?.trainRMSE
    }
}
