import Foundation
import NeuralNetwork

/// One configuration of an experiment: the penalties it names, one per place at most, in place order, and the training
/// settings it sets itself over the experiment's (`settings`, none for every preset). A place may be
/// named with a zero penalty (`kernel L1L2(0.00,0.00)`, the unregularized row of the study's input table): naming
/// it is part of the configuration's identity, so that row is trained from its own seeds, as in the study.
///
/// The identity of a configuration is its canonical encoding (places and the bits of their coefficients, then the
/// settings it sets), never its display label: a change to how coefficients print cannot change any run's seed.
public struct ConfigurationSpec: Sendable, Equatable, Hashable {
    /// In place order (`PenaltyPlace.allCases`), each place at most once.
    public let penalties: [PlacedPenalty]
    /// The training settings this configuration sets itself (empty: the experiment's for all).
    public let settings: SettingOverrides
    /// A label given by the experiment's author instead of the generated one (not part of the identity).
    public let customLabel: String?

    /// A configuration naming these penalties and settings; a place given twice keeps its last penalty.
    public init(_ penalties: [(PenaltyPlace, L1L2)], settings: SettingOverrides = SettingOverrides(),
                label: String? = nil) {
        var byPlace: [PenaltyPlace: L1L2] = [:]
        for (place, penalty) in penalties { byPlace[place] = penalty }
        self.penalties = byPlace.keys.sorted().map { PlacedPenalty($0, byPlace[$0]!) }
        self.settings = settings
        self.customLabel = label
    }

    /// The experiment's shared settings with this configuration's own applied: what its runs train with.
    public func training(sharing shared: TrainingSettings) -> TrainingSettings { settings.applied(to: shared) }

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

    /// The label for display and the archive's `configuration_label`: the custom label if given, else the generated
    /// one (`generatedLabel`).
    public var label: String { customLabel ?? generatedLabel }

    /// The study's label when the configuration sets no setting: `kernel L1L2(0.01,0.00)`,
    /// `kernel L1L2(0.01,0.01) + bias L1L2(0.01,0.01)`, or `L1L2(0.00,0.00)` when no place is named. With settings:
    /// the settings, then the penalties when places are named: `units 2, epochs 60`, `units 2, kernel L1L2(0.01,0.00)`.
    public var generatedLabel: String {
        let penaltyLabel = penalties.map { "\($0.place.rawValue) \($0.penalty.label)" }.joined(separator: " + ")
        guard !settings.isEmpty else { return penalties.isEmpty ? L1L2.none.label : penaltyLabel }
        return penalties.isEmpty ? settings.label : "\(settings.label), \(penaltyLabel)"
    }

    /// The bytes that identify the configuration, fed to the run seed: for each named penalty in place order, the
    /// place's name in UTF-8, `=`, then the IEEE-754 bits of l1 and of l2 as 8 big-endian bytes each (−0 as +0),
    /// and `;`; then for each setting the configuration sets, in key order (`SettingOverrides.keys`), its key, `=`,
    /// the IEEE-754 bits of its value as a `Double` as 8 big-endian bytes, and `;`. The baseline's encoding is empty,
    /// and a configuration that sets no setting has the encoding of lstmlab 0.2.
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
        for (key, value) in settings.values {
            bytes += Array(key.utf8)
            bytes.append(UInt8(ascii: "="))
            append(value)
            bytes.append(UInt8(ascii: ";"))
        }
        return bytes
    }
}

extension ConfigurationSpec: Codable {
    private enum CodingKeys: String, CodingKey { case label, penalties, regularization, settings }

    /// Writes the penalties, the settings when there are any, and the label (when read, a label other than the
    /// generated one is the custom label).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(label, forKey: .label)
        try container.encode(penalties, forKey: .penalties)
        if !settings.isEmpty { try container.encode(settings, forKey: .settings) }
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
            let settings = try container.decodeIfPresent(SettingOverrides.self, forKey: .settings) ?? SettingOverrides()
            let generated = ConfigurationSpec(penalties.map { ($0.place, $0.penalty) }, settings: settings)
            let label = try container.decodeIfPresent(String.self, forKey: .label)
            self.init(penalties.map { ($0.place, $0.penalty) }, settings: settings,
                      label: label == nil || label == generated.generatedLabel ? nil : label)
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
