/// Errors a user can cause when describing an experiment; each message is one line.
public enum ExperimentError: Error, Equatable, CustomStringConvertible {
    case unknownPreset(String, known: [String])
    case unknownProfile(String)
    case notPositive(name: String, value: Int)
    case negativeCoefficient(name: String, value: Double)
    case invalidValue(name: String, value: String, allowed: String)
    case duplicateConfiguration(String)

    public var description: String {
        switch self {
        case .unknownPreset(let name, let known):
            return "unknown preset '\(name)'; the presets are \(known.joined(separator: ", "))"
        case .unknownProfile(let name):
            return "unknown profile '\(name)'; the profiles are keras2, keras3"
        case .notPositive(let name, let value):
            return "\(name) must be at least 1, got \(value)"
        case .negativeCoefficient(let name, let value):
            return "\(name) must be a finite number ≥ 0, got \(value)"
        case .invalidValue(let name, let value, let allowed):
            return "\(name) '\(value)' is not allowed: \(allowed)"
        case .duplicateConfiguration(let label):
            return "configuration '\(label)' appears twice in the experiment"
        }
    }
}
