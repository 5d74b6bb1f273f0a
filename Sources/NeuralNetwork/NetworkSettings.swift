/// Everything that fixes how one network trains: its shape, σ, Adam, the penalties and the batch size.
public struct NetworkSettings: Sendable, Equatable, Hashable, Codable {
    public var shape: NetworkShape
    public var recurrentActivation: RecurrentActivation
    public var adam: AdamSettings
    public var regularization: Regularization
    public var activityPenaltyDividedByBatch: Bool
    public var batchSize: Int

    public init(shape: NetworkShape, recurrentActivation: RecurrentActivation, adam: AdamSettings,
                regularization: Regularization, activityPenaltyDividedByBatch: Bool, batchSize: Int) {
        self.shape = shape
        self.recurrentActivation = recurrentActivation
        self.adam = adam
        self.regularization = regularization
        self.activityPenaltyDividedByBatch = activityPenaltyDividedByBatch
        self.batchSize = batchSize
    }

    /// The settings a Keras profile implies for a shape, penalties and batch size.
    public init(shape: NetworkShape, profile: KerasProfile, regularization: Regularization, batchSize: Int,
                learningRate: Double = 0.001) {
        self.init(shape: shape, recurrentActivation: profile.recurrentActivation,
                  adam: AdamSettings(learningRate: learningRate, epsilon: profile.adamEpsilon),
                  regularization: regularization,
                  activityPenaltyDividedByBatch: profile.activityPenaltyDividedByBatch, batchSize: batchSize)
    }
}
