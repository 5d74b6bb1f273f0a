import NeuralNetwork
import TimeSeries

/// Settings shared by every run of an experiment.
public struct TrainingSettings: Sendable, Equatable, Hashable, Codable {
    public var profile: KerasProfile
    public var units: Int
    public var batchSize: Int
    public var lag: Int
    public var testSize: Int
    public var epochs: Int
    public var learningRate: Double

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

    public var framing: FramingOptions { FramingOptions(lag: lag, testSize: testSize, batchSize: batchSize) }

    /// Checks every value a user can set against its range (`SettingLimits`); throws a one-line error naming the bad
    /// value and the range, e.g. `lag must be from 1 to 1000, got 99999999999`.
    public func validate() throws {
        try checkSetting("units", units, SettingLimits.units)
        try checkSetting("batch size", batchSize, SettingLimits.batchSize)
        try checkSetting("lag", lag, SettingLimits.lag)
        try checkSetting("test size", testSize, SettingLimits.testSize)
        try checkSetting("epochs", epochs, SettingLimits.epochs)
        try checkLearningRate(learningRate)
    }

    /// The settings runs must share to train side by side in one vector: the profile (σ, ε), the network's shape, the
    /// batch size and the data's framing. Epochs and the learning rate may differ between lane-mates.
    public var sharedNetwork: SharedNetwork {
        SharedNetwork(profile: profile, units: units, batchSize: batchSize, lag: lag, testSize: testSize)
    }

    public struct SharedNetwork: Sendable, Hashable {
        public var profile: KerasProfile
        public var units: Int, batchSize: Int, lag: Int, testSize: Int
    }
}
