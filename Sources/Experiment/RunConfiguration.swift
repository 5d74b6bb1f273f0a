import NeuralNetwork

/// The full configuration of one run, as archived: shared settings plus the configuration's penalties.
public struct RunConfiguration: Sendable, Equatable, Hashable, Codable {
    public var configuration: ConfigurationSpec
    public var training: TrainingSettings

    public init(configuration: ConfigurationSpec, training: TrainingSettings) {
        self.configuration = configuration
        self.training = training
    }

    public var label: String { configuration.label }

    /// The network settings this configuration implies.
    public var networkSettings: NetworkSettings {
        training.networkSettings(regularization: configuration.regularization)
    }
}
