import NeuralNetwork

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
