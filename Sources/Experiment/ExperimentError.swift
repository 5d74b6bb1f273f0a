import TimeSeries

/// Errors a user can cause when describing an experiment; each message is one line (text a user gave is shown
/// through `oneLine`, so a line break in a name cannot break it).
public enum ExperimentError: Error, Equatable, CustomStringConvertible {
    case unknownPreset(String, known: [String])
    case unknownProfile(String)
    case notPositive(name: String, value: Int)
    case invalidValue(name: String, value: String, allowed: String)
    case duplicateConfiguration(String)
    /// A setting outside its allowed range, e.g. `lag must be from 1 to 1000, got 99999999999`.
    case outOfRange(name: String, value: String, range: String)
    /// The memory a set of runs would take (`needed` bytes) exceeds `limit` bytes; `largest` names the biggest part.
    case tooMuchMemory(needed: Double, limit: Double, largest: String)
    /// A field of a Keras reference dump that cannot be what Keras wrote.
    case badReference(field: String, problem: String)

    public var description: String {
        switch self {
        case .unknownPreset(let name, let known):
            return "unknown preset '\(oneLine(name))'; the presets are \(known.joined(separator: ", "))"
        case .unknownProfile(let name):
            return "unknown profile '\(oneLine(name))'; the profiles are keras2, keras3"
        case .notPositive(let name, let value):
            return "\(name) must be at least 1, got \(value)"
        case .invalidValue(let name, let value, let allowed):
            return "\(oneLine(name)) '\(oneLine(value))' is not allowed: \(oneLine(allowed, limit: 200))"
        case .duplicateConfiguration(let label):
            return "configuration '\(oneLine(label, limit: 120))' appears twice in the experiment"
        case .outOfRange(let name, let value, let range):
            return "\(name) must be \(range), got \(oneLine(value))"
        case .tooMuchMemory(let needed, let limit, let largest):
            return "these settings need about \(formatByteCount(needed)) of memory (\(largest)), more than the "
                + "\(formatByteCount(limit)) allowed (half the physical memory): lower --repeats, --epochs, --units, "
                + "--lag, --jobs or --checkpoint-every snapshots"
        case .badReference(let field, let problem):
            return "reference dump: \(oneLine(field)) \(oneLine(problem, limit: 200))"
        }
    }
}
