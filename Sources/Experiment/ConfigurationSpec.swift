import Foundation
import NeuralNetwork

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
