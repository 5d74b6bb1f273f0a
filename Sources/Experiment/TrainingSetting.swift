import NeuralNetwork

/// Every training setting an experiment file or a configuration can set, by its key, in canonical order.
public enum TrainingSetting: String, CaseIterable, Sendable {
    case units
    case batch
    case lag
    case testSize = "test-size"
    case epochs
    case learningRate = "learning-rate"
    case dropout
    case recurrentDropout = "recurrent-dropout"
    case stateful
    case shuffle
    case forecast
    case seedState = "seed-state"
    case lagAs = "lag-as"
    case trainRows = "train-rows"
    case skipRows = "skip-rows"
    case zeroPad = "zero-pad"
    case replicate

    /// How a setting's value is written and held as a number.
    public enum Kind: Sendable, Equatable {
        /// A whole number in a range.
        case integer(ClosedRange<Int>)
        /// A finite number > 0.
        case learningRate
        /// A dropout rate in [0, 1).
        case rate
        /// true (1) or false (0).
        case flag
        /// One of the names (held as its index).
        case choice([String])
    }

    public var kind: Kind {
        switch self {
        case .units: .integer(SettingLimits.units)
        case .batch: .integer(SettingLimits.batchSize)
        case .lag: .integer(SettingLimits.lag)
        case .testSize: .integer(SettingLimits.testSize)
        case .epochs: .integer(SettingLimits.epochs)
        case .learningRate: .learningRate
        case .dropout, .recurrentDropout: .rate
        case .stateful, .shuffle, .seedState, .zeroPad: .flag
        case .forecast: .choice(ForecastMode.allCases.map(\.rawValue))
        case .lagAs: .choice(LagLayout.allCases.map(\.rawValue))
        case .trainRows, .skipRows: .integer(SettingLimits.trainRows)
        case .replicate: .integer(SettingLimits.replicate)
        }
    }

    /// What the setting means, for errors and help.
    public var summary: String {
        switch self {
        case .units: "LSTM units"
        case .batch: "batch size"
        case .lag: "lagged differences as inputs"
        case .testSize: "final months held out as the test set"
        case .epochs: "training epochs"
        case .learningRate: "Adam's learning rate"
        case .dropout: "input dropout rate, from 0 to below 1"
        case .recurrentDropout: "recurrent dropout rate, from 0 to below 1"
        case .stateful: "carry the state from batch to batch (true) or start every batch from zero (false)"
        case .shuffle: "feed the training rows in a fresh random order each epoch"
        case .forecast: "one-shot (predict in batches) or walk-forward (one month at a time, state carried)"
        case .seedState: "predict the training rows before forecasting the test months, to seed the state"
        case .lagAs: "the lagged differences as features of one timestep or as timesteps of one feature"
        case .trainRows: "train on the last N training rows only, the scaler fitted on them (0: all)"
        case .skipRows: "drop the first N scaled training rows before trimming to a multiple of the batch"
        case .zeroPad: "also frame the first months, their missing lagged differences 0 (a listing's fillna(0))"
        case .replicate: "the same configuration trained again from other seeds (0: the first)"
        }
    }

    /// The value as written in labels and files: `true`, `walk-forward`, `0.4`, `12`.
    public func text(_ value: Double) -> String {
        switch kind {
        case .flag: value != 0 ? "true" : "false"
        case .choice(let names): Int(exactly: value).flatMap { names.indices.contains($0) ? names[$0] : nil } ?? formatSetting(value)
        default: formatSetting(value)
        }
    }

    /// Sets the value on `training`.
    func apply(_ value: Double, to training: inout TrainingSettings) {
        switch self {
        case .units: training.units = clampedInteger(value)
        case .batch: training.batchSize = clampedInteger(value)
        case .lag: training.lag = clampedInteger(value)
        case .testSize: training.testSize = clampedInteger(value)
        case .epochs: training.epochs = clampedInteger(value)
        case .learningRate: training.learningRate = value
        case .dropout: training.dropout = value
        case .recurrentDropout: training.recurrentDropout = value
        case .stateful: training.stateful = value != 0
        case .shuffle: training.shuffle = value != 0
        case .forecast: training.forecast = ForecastMode.allCases[min(max(clampedInteger(value), 0), ForecastMode.allCases.count - 1)]
        case .seedState: training.seedState = value != 0
        case .lagAs: training.lagAs = LagLayout.allCases[min(max(clampedInteger(value), 0), LagLayout.allCases.count - 1)]
        case .trainRows: training.trainRows = clampedInteger(value)
        case .skipRows: training.skipRows = clampedInteger(value)
        case .zeroPad: training.zeroPad = value != 0
        case .replicate: break
        }
    }

    /// The value `training` has (`replicate`: 0, it is no training setting).
    func value(in training: TrainingSettings) -> Double {
        switch self {
        case .units: Double(training.units)
        case .batch: Double(training.batchSize)
        case .lag: Double(training.lag)
        case .testSize: Double(training.testSize)
        case .epochs: Double(training.epochs)
        case .learningRate: training.learningRate
        case .dropout: training.dropout
        case .recurrentDropout: training.recurrentDropout
        case .stateful: training.stateful ? 1 : 0
        case .shuffle: training.shuffle ? 1 : 0
        case .forecast: Double(ForecastMode.allCases.firstIndex(of: training.forecast)!)
        case .seedState: training.seedState ? 1 : 0
        case .lagAs: Double(LagLayout.allCases.firstIndex(of: training.lagAs)!)
        case .trainRows: Double(training.trainRows)
        case .skipRows: Double(training.skipRows)
        case .zeroPad: training.zeroPad ? 1 : 0
        case .replicate: 0
        }
    }
}

/// How the test months are forecast after training.
public enum ForecastMode: String, CaseIterable, Sendable, Codable {
    /// Keras's `predict(test, batch_size=B)`: all test rows in batches of B.
    case oneShot = "one-shot"
    /// One prediction per month in turn (batch size 1), the state carried from month to month.
    case walkForward = "walk-forward"
}

/// How the lagged differences of a row are fed to the LSTM.
public enum LagLayout: String, CaseIterable, Sendable, Codable {
    /// Shape n × 1 × lag: one timestep of `lag` features.
    case features
    /// Shape n × lag × 1: `lag` timesteps of one feature, the most recent difference first (as the listings reshape).
    case timesteps
}
