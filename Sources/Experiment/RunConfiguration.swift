import Network
import TimeSeries

/// Where a penalty applies: one of the LSTM's three weight tensors, or its output (activity).
public enum PenaltyPlace: String, Sendable, Codable, CaseIterable, Hashable {
    /// The input weights (`kernel`).
    case kernel
    /// The recurrent weights (`recurrent_kernel`).
    case recurrent
    /// The LSTM bias.
    case bias
    /// The LSTM output h (activity regularization).
    case activity
}

extension Regularization {
    /// The penalty at one place.
    public subscript(place: PenaltyPlace) -> L1L2 {
        get {
            switch place {
            case .kernel: kernel
            case .recurrent: recurrentKernel
            case .bias: bias
            case .activity: activity
            }
        }
        set {
            switch place {
            case .kernel: kernel = newValue
            case .recurrent: recurrentKernel = newValue
            case .bias: bias = newValue
            case .activity: activity = newValue
            }
        }
    }
}

/// One configuration of an experiment: a label in the study's words and the penalties it applies.
public struct ConfigurationSpec: Sendable, Equatable, Hashable, Codable {
    /// E.g. `kernel L1L2(0.01,0.00)`; unique within an experiment; part of every run seed.
    public var label: String
    public var regularization: Regularization

    public init(label: String, regularization: Regularization) {
        self.label = label
        self.regularization = regularization
    }

    /// A configuration with one penalty at one place, labelled `<place> L1L2(l1,l2)`.
    public static func single(_ place: PenaltyPlace, _ penalty: L1L2) -> ConfigurationSpec {
        var regularization = Regularization.none
        regularization[place] = penalty
        return ConfigurationSpec(label: "\(place.rawValue) \(penalty)", regularization: regularization)
    }

    /// A configuration with penalties at several places, labelled `kernel L1L2(…) + bias L1L2(…)`.
    public static func combined(_ penalties: [(PenaltyPlace, L1L2)]) -> ConfigurationSpec {
        var regularization = Regularization.none
        for (place, penalty) in penalties { regularization[place] = penalty }
        let label = penalties.map { "\($0.0.rawValue) \($0.1)" }.joined(separator: " + ")
        return ConfigurationSpec(label: label, regularization: regularization)
    }

    /// The unregularized configuration, labelled `L1L2(0.00,0.00)`.
    public static let baseline = ConfigurationSpec(label: "\(L1L2.none)", regularization: .none)

    /// No penalty anywhere: the configuration other configurations are compared with.
    public var isBaseline: Bool { regularization.isZero }
}

/// Settings shared by every run of an experiment.
public struct TrainingSettings: Sendable, Equatable, Hashable, Codable {
    /// `keras2` or `keras3` (see `KerasProfile`).
    public var profile: String
    public var units: Int
    public var batchSize: Int
    public var lag: Int
    public var testSize: Int
    public var epochs: Int
    public var learningRate: Double

    public init(profile: String = KerasProfile.keras2.name, units: Int = 3, batchSize: Int = 4, lag: Int = 1,
                testSize: Int = 12, epochs: Int = 1000, learningRate: Double = 0.001) {
        self.profile = profile
        self.units = units
        self.batchSize = batchSize
        self.lag = lag
        self.testSize = testSize
        self.epochs = epochs
        self.learningRate = learningRate
    }

    public var framing: FramingOptions { FramingOptions(lag: lag, testSize: testSize, batchSize: batchSize) }

    /// Checks every value a user can set; throws a one-line error naming the bad value.
    public func validate() throws {
        guard KerasProfile.named(profile) != nil else {
            throw ExperimentError.unknownProfile(profile)
        }
        for (name, value) in [("units", units), ("batch size", batchSize), ("lag", lag), ("test size", testSize),
                              ("epochs", epochs)] where value < 1 {
            throw ExperimentError.notPositive(name: name, value: value)
        }
        guard learningRate > 0, learningRate.isFinite else {
            throw ExperimentError.invalidValue(name: "learning rate", value: "\(learningRate)", allowed: "a positive number")
        }
    }

    public var kerasProfile: KerasProfile {
        get throws {
            guard let profile = KerasProfile.named(profile) else { throw ExperimentError.unknownProfile(profile) }
            return profile
        }
    }
}

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
    public func networkSettings() throws -> NetworkSettings {
        NetworkSettings(
            shape: NetworkShape(lag: training.lag, units: training.units), profile: try training.kerasProfile,
            regularization: configuration.regularization, batchSize: training.batchSize,
            learningRate: training.learningRate)
    }
}

/// A run's seed, derived from the experiment seed, the configuration label and the repeat index only, so that a
/// run's result never depends on `--jobs` or scheduling:
/// `runSeed = mix(experimentSeed ⊕ mix(fnv1a64(label) ⊕ mix(repeatIndex)))`, where `mix` is the SplitMix64
/// finaliser and `fnv1a64` the 64-bit FNV-1a hash of the label's UTF-8 bytes; the top bit is cleared so that every
/// seed is a non-negative 64-bit integer in SQLite and in pandas.
public func deriveRunSeed(experimentSeed: UInt64, configurationLabel: String, repeatIndex: Int) -> UInt64 {
    let repeatMix = splitMix64Finalize(UInt64(repeatIndex))
    let labelMix = splitMix64Finalize(fnv1a64(configurationLabel) ^ repeatMix)
    return splitMix64Finalize(experimentSeed ^ labelMix) & 0x7FFF_FFFF_FFFF_FFFF
}
