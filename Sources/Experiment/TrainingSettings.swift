import NeuralNetwork
import TimeSeries

/// Settings shared by every run of an experiment (a configuration may set its own: `SettingOverrides`).
public struct TrainingSettings: Sendable, Equatable, Hashable {
    public var profile: KerasProfile
    public var units: Int
    public var batchSize: Int
    public var lag: Int
    public var testSize: Int
    public var epochs: Int
    public var learningRate: Double
    /// Keras's `dropout` (input) and `recurrent_dropout` rates, from 0 to below 1.
    public var dropout: Double = 0
    public var recurrentDropout: Double = 0
    /// Keras's `stateful`: the state carries from batch to batch (and is reset after each epoch).
    public var stateful: Bool = true
    /// Keras's `fit(shuffle=True)`: each epoch feeds the training rows in a fresh order from the run's random source.
    public var shuffle: Bool = false
    public var forecast: ForecastMode = .oneShot
    /// Predict the training rows (from a reset state) before forecasting the test months, without a reset between.
    public var seedState: Bool = false
    public var lagAs: LagLayout = .features
    /// Train on the last this many training rows only (0: all), the scaler fitted on them.
    public var trainRows: Int = 0
    /// Drop this many scaled training rows from the front before trimming to a multiple of the batch size.
    public var skipRows: Int = 0
    /// Also frame the first `lag` months with their missing lagged differences 0.
    public var zeroPad: Bool = false

    public init(profile: KerasProfile = ExperimentDefaults.profile, units: Int = ExperimentDefaults.units,
                batchSize: Int = ExperimentDefaults.batchSize, lag: Int = ExperimentDefaults.lag,
                testSize: Int = ExperimentDefaults.testSize, epochs: Int = ExperimentDefaults.epochs,
                learningRate: Double = ExperimentDefaults.learningRate) {
        self.profile = profile
        self.units = units
        self.batchSize = batchSize
        self.lag = lag
        self.testSize = testSize
        self.epochs = epochs
        self.learningRate = learningRate
    }

    public var framing: FramingOptions {
        FramingOptions(lag: lag, testSize: testSize, batchSize: batchSize, trainRows: trainRows == 0 ? nil : trainRows,
                       skipRows: skipRows == 0 ? nil : skipRows, zeroPad: zeroPad ? true : nil)
    }

    /// The network's shape: `lag` features in one timestep, or `lag` timesteps of one feature.
    public var networkShape: NetworkShape {
        lagAs == .features ? NetworkShape(lag: lag, units: units) : NetworkShape(lag: 1, units: units, timesteps: lag)
    }

    /// Rows per `predict` call: B for one-shot forecasts, 1 for walk-forward ones.
    public var rowsPerPrediction: Int { forecast == .walkForward ? 1 : batchSize }

    /// Checks every value a user can set against its range (`SettingLimits`); throws a one-line error naming the bad
    /// value and the range, e.g. `lag must be from 1 to 1000, got 99999999999`.
    public func validate() throws {
        try checkSetting("units", units, SettingLimits.units)
        try checkSetting("batch size", batchSize, SettingLimits.batchSize)
        try checkSetting("lag", lag, SettingLimits.lag)
        try checkSetting("test size", testSize, SettingLimits.testSize)
        try checkSetting("epochs", epochs, SettingLimits.epochs)
        try checkLearningRate(learningRate)
        try checkRate(dropout, name: "dropout")
        try checkRate(recurrentDropout, name: "recurrent dropout")
        try checkSetting("train rows", trainRows, SettingLimits.trainRows)
        try checkSetting("skip rows", skipRows, SettingLimits.trainRows)
    }

    /// The settings runs must share to train side by side in one vector: everything but the epochs and the learning
    /// rate, which may differ between lane-mates.
    public var sharedNetwork: SharedNetwork {
        var shared = self
        shared.epochs = 0
        shared.learningRate = 0
        return SharedNetwork(settings: shared)
    }

    public struct SharedNetwork: Sendable, Hashable {
        var settings: TrainingSettings
    }

    /// The network settings of a run with these settings and `regularization`.
    public func networkSettings(regularization: Regularization) -> NetworkSettings {
        NetworkSettings(
            shape: networkShape, profile: profile, regularization: regularization, batchSize: batchSize,
            learningRate: learningRate, stateful: stateful, shuffle: shuffle,
            dropout: DropoutSettings(input: dropout, recurrent: recurrentDropout,
                                     draw: profile.maskDraw(recurrentDropout: recurrentDropout)))
    }

    /// The settings that differ from lstmlab 0.2's only harness (stateful, lag as features, no dropout, one-shot):
    /// `TrainingSetting`s other than the six of 0.2, with their values.
    public var familySettings: SettingOverrides {
        var overrides = SettingOverrides()
        let defaults = TrainingSettings()
        for setting in TrainingSetting.allCases.dropFirst(6) where setting != .replicate {
            let value = setting.value(in: self)
            if value != setting.value(in: defaults) { overrides.set(setting, value) }
        }
        return overrides
    }
}

extension TrainingSettings: Codable {
    private enum CodingKeys: String, CodingKey {
        case profile, units, batchSize, lag, testSize, epochs, learningRate, family
    }

    /// lstmlab 0.2's fields, then `family` (`SettingOverrides` form) only when a later setting differs from its
    /// default: the settings of 0.2's runs encode as they did.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(profile, forKey: .profile)
        try container.encode(units, forKey: .units)
        try container.encode(batchSize, forKey: .batchSize)
        try container.encode(lag, forKey: .lag)
        try container.encode(testSize, forKey: .testSize)
        try container.encode(epochs, forKey: .epochs)
        try container.encode(learningRate, forKey: .learningRate)
        let family = familySettings
        if !family.isEmpty { try container.encode(family, forKey: .family) }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(profile: try container.decode(KerasProfile.self, forKey: .profile),
                  units: try container.decode(Int.self, forKey: .units),
                  batchSize: try container.decode(Int.self, forKey: .batchSize),
                  lag: try container.decode(Int.self, forKey: .lag),
                  testSize: try container.decode(Int.self, forKey: .testSize),
                  epochs: try container.decode(Int.self, forKey: .epochs),
                  learningRate: try container.decode(Double.self, forKey: .learningRate))
        if let family = try container.decodeIfPresent(SettingOverrides.self, forKey: .family) {
            self = family.applied(to: self)
        }
    }
}
