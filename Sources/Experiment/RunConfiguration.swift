import Foundation
import Network
import TimeSeries

/// Where a penalty applies: one of the LSTM's three weight tensors, or its output (activity). The cases are in
/// the canonical order of a configuration's penalties.
public enum PenaltyPlace: String, Sendable, Codable, CaseIterable, Hashable, Comparable {
    /// The input weights (`kernel`).
    case kernel
    /// The recurrent weights (`recurrent_kernel`).
    case recurrent
    /// The LSTM bias.
    case bias
    /// The LSTM output h (activity regularization).
    case activity

    public static func < (a: PenaltyPlace, b: PenaltyPlace) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
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

/// A penalty named at one place of a configuration.
public struct PlacedPenalty: Sendable, Equatable, Hashable, Codable {
    public var place: PenaltyPlace
    public var penalty: L1L2

    public init(_ place: PenaltyPlace, _ penalty: L1L2) {
        self.place = place
        self.penalty = penalty
    }
}

/// One configuration of an experiment: the penalties it names, one per place at most, in place order. A place may be
/// named with a zero penalty (`kernel L1L2(0.00,0.00)`, the unregularized row of the study's input table): naming
/// it is part of the configuration's identity, so that row is trained from its own seeds, as in the study.
///
/// The identity of a configuration is its canonical encoding (places and the bits of their coefficients), never its
/// display label: a change to how coefficients print cannot change any run's seed.
public struct ConfigurationSpec: Sendable, Equatable, Hashable {
    /// In place order (`PenaltyPlace.allCases`), each place at most once.
    public let penalties: [PlacedPenalty]

    /// A configuration naming these penalties; a place given twice keeps its last penalty.
    public init(_ penalties: [(PenaltyPlace, L1L2)]) {
        var byPlace: [PenaltyPlace: L1L2] = [:]
        for (place, penalty) in penalties { byPlace[place] = penalty }
        self.penalties = byPlace.keys.sorted().map { PlacedPenalty($0, byPlace[$0]!) }
    }

    /// A configuration with one penalty at one place, labelled `<place> L1L2(l1,l2)`.
    public static func single(_ place: PenaltyPlace, _ penalty: L1L2) -> ConfigurationSpec {
        ConfigurationSpec([(place, penalty)])
    }

    /// A configuration with penalties at several places, labelled `kernel L1L2(…) + bias L1L2(…)`.
    public static func combined(_ penalties: [(PenaltyPlace, L1L2)]) -> ConfigurationSpec {
        ConfigurationSpec(penalties)
    }

    /// The unregularized configuration, naming no place, labelled `L1L2(0.00,0.00)`.
    public static let baseline = ConfigurationSpec([])

    /// Every penalty of the configuration (zero where no place is named).
    public var regularization: Regularization {
        var regularization = Regularization.none
        for item in penalties { regularization[item.place] = item.penalty }
        return regularization
    }

    /// No penalty anywhere: the configuration other configurations are compared with.
    public var isBaseline: Bool { regularization.isZero }

    /// The study's label, for display and the archive's `configuration_label`: `kernel L1L2(0.01,0.00)`,
    /// `kernel L1L2(0.01,0.01) + bias L1L2(0.01,0.01)`, or `L1L2(0.00,0.00)` when no place is named.
    public var label: String {
        guard !penalties.isEmpty else { return L1L2.none.label }
        return penalties.map { "\($0.place.rawValue) \($0.penalty.label)" }.joined(separator: " + ")
    }

    /// The bytes that identify the configuration, fed to the run seed: for each named penalty in place order, the
    /// place's name in UTF-8, `=`, then the IEEE-754 bits of l1 and of l2 as 8 big-endian bytes each (−0 as +0),
    /// and `;`. The baseline's encoding is empty.
    public var canonicalEncoding: [UInt8] {
        var bytes: [UInt8] = []
        func append(_ value: Double) {
            let bits = (value == 0 ? 0.0 : value).bitPattern
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
        }
        for item in penalties {
            bytes += Array(item.place.rawValue.utf8)
            bytes.append(UInt8(ascii: "="))
            append(item.penalty.l1)
            append(item.penalty.l2)
            bytes.append(UInt8(ascii: ";"))
        }
        return bytes
    }
}

extension ConfigurationSpec: Codable {
    private enum CodingKeys: String, CodingKey { case label, penalties, regularization }

    /// Writes the penalties, and the label for people reading the JSON (it is derived, and ignored when read).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(label, forKey: .label)
        try container.encode(penalties, forKey: .penalties)
    }

    /// Reads the current form, or the form of lstmlab 0.1 (a label and a full `regularization`): there the named
    /// places are the words of the label.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let penalties = try container.decodeIfPresent([PlacedPenalty].self, forKey: .penalties) {
            guard Set(penalties.map(\.place)).count == penalties.count else {
                throw DecodingError.dataCorruptedError(forKey: .penalties, in: container,
                                                       debugDescription: "a place is named twice")
            }
            self.init(penalties.map { ($0.place, $0.penalty) })
            return
        }
        let label = try container.decode(String.self, forKey: .label)
        let regularization = try container.decode(Regularization.self, forKey: .regularization)
        let places = label.components(separatedBy: " + ").compactMap { component in
            component.split(separator: " ").first.flatMap { PenaltyPlace(rawValue: String($0)) }
        }
        self.init(places.map { ($0, regularization[$0]) })
    }
}

extension L1L2 {
    /// The study's label, e.g. `L1L2(0.01,0.00)`: each coefficient with at least two decimals.
    public var label: String { "L1L2(\(formatCoefficient(l1)),\(formatCoefficient(l2)))" }
}

/// A penalty coefficient with the fewest decimals (at least two) that give it back, as the study's tables print
/// them: 0.01, 0.00, 0.001.
func formatCoefficient(_ value: Double) -> String {
    for decimals in 2...8 {
        let text = String(format: "%.\(decimals)f", value)
        if abs((Double(text) ?? .nan) - value) <= 1e-15 * max(1, abs(value)) { return text }
    }
    return "\(value)"
}

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

    /// Checks every value a user can set; throws a one-line error naming the bad value.
    public func validate() throws {
        for (name, value) in [("units", units), ("batch size", batchSize), ("lag", lag), ("test size", testSize),
                              ("epochs", epochs)] where value < 1 {
            throw ExperimentError.notPositive(name: name, value: value)
        }
        guard learningRate > 0, learningRate.isFinite else {
            throw ExperimentError.invalidValue(name: "learning rate", value: "\(learningRate)", allowed: "a positive number")
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
    public var networkSettings: NetworkSettings {
        NetworkSettings(
            shape: NetworkShape(lag: training.lag, units: training.units), profile: training.profile,
            regularization: configuration.regularization, batchSize: training.batchSize,
            learningRate: training.learningRate)
    }
}

/// How run seeds are derived; recorded with every experiment, so an archive written under an older derivation is
/// never extended with runs seeded differently.
public enum RunSeedDerivation {
    /// 1: lstmlab 0.1, from the configuration's display label. 2: from its canonical encoding.
    public static let current = 2
}

/// A run's seed, derived from the experiment seed, the configuration's canonical encoding and the repeat index only,
/// so that a run's result never depends on `--jobs`, scheduling or how labels print:
/// `runSeed = mix(experimentSeed ⊕ mix(fnv1a64(canonicalEncoding) ⊕ mix(repeatIndex)))`, where `mix` is the
/// SplitMix64 finaliser and `fnv1a64` the 64-bit FNV-1a hash; the top bit is cleared so that every seed is a
/// non-negative 64-bit integer in SQLite and in pandas.
public func deriveRunSeed(experimentSeed: UInt64, configuration: ConfigurationSpec, repeatIndex: Int) -> UInt64 {
    let repeatMix = splitMix64Finalize(UInt64(repeatIndex))
    let configurationMix = splitMix64Finalize(fnv1a64(bytes: configuration.canonicalEncoding) ^ repeatMix)
    return splitMix64Finalize(experimentSeed ^ configurationMix) & 0x7FFF_FFFF_FFFF_FFFF
}
