/// Everything that fixes how one network trains: its shape, σ, Adam, the penalties, the batch size, whether the state
/// carries from batch to batch, whether the rows are shuffled each epoch, and dropout.
public struct NetworkSettings: Sendable, Equatable, Hashable, Codable {
    public var shape: NetworkShape
    public var recurrentActivation: RecurrentActivation
    public var adam: AdamSettings
    public var regularization: Regularization
    public var activityPenaltyDividedByBatch: Bool
    public var batchSize: Int
    /// Keras's `stateful=True`: each batch starts from the previous batch's final state (else from zero).
    public var stateful: Bool
    /// Keras's `fit(shuffle=True)`: each epoch feeds the training rows in an order drawn from the run's random source.
    public var shuffle: Bool
    public var dropout: DropoutSettings

    public init(shape: NetworkShape, recurrentActivation: RecurrentActivation, adam: AdamSettings,
                regularization: Regularization, activityPenaltyDividedByBatch: Bool, batchSize: Int,
                stateful: Bool = true, shuffle: Bool = false, dropout: DropoutSettings = .none) {
        self.shape = shape
        self.recurrentActivation = recurrentActivation
        self.adam = adam
        self.regularization = regularization
        self.activityPenaltyDividedByBatch = activityPenaltyDividedByBatch
        self.batchSize = batchSize
        self.stateful = stateful
        self.shuffle = shuffle
        self.dropout = dropout
    }

    /// The settings a Keras profile implies for a shape, penalties and batch size.
    public init(shape: NetworkShape, profile: KerasProfile, regularization: Regularization, batchSize: Int,
                learningRate: Double = 0.001, stateful: Bool = true, shuffle: Bool = false,
                dropout: DropoutSettings = .none) {
        self.init(shape: shape, recurrentActivation: profile.recurrentActivation,
                  adam: AdamSettings(learningRate: learningRate, epsilon: profile.adamEpsilon),
                  regularization: regularization,
                  activityPenaltyDividedByBatch: profile.activityPenaltyDividedByBatch, batchSize: batchSize,
                  stateful: stateful, shuffle: shuffle, dropout: dropout)
    }
}
