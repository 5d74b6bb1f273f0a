import Analysis
import Foundation
import Lab

/// A request the server refuses before touching the archive: a bad id or parameter. One line, naming the value.
struct RequestError: Error, CustomStringConvertible {
    var description: String
}

/// The query of a URL as name → values, decoded as a browser form encodes it (`+` is a space, then percent-escapes).
struct QueryParameters {
    private var values: [String: [String]] = [:]

    init(_ query: String?) {
        for pair in (query ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0]), value = parts.count > 1 ? Self.decode(parts[1]) : ""
            values[name, default: []].append(value)
        }
    }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// Every value of `name`, in order.
    func all(_ name: String) -> [String] { values[name] ?? [] }

    /// The last value of `name` as an integer in `range`; nil when absent or empty.
    func integer(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = values[name]?.last, !text.isEmpty else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw RequestError(description: "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound), got '\(shortened(text))'")
        }
        return value
    }

    /// The last value of `name` as a boolean (`true`/`1`/`false`/`0`); `defaultValue` when absent.
    func flag(_ name: String, default defaultValue: Bool) throws -> Bool {
        guard let text = values[name]?.last, !text.isEmpty else { return defaultValue }
        switch text {
        case "true", "1": return true
        case "false", "0": return false
        default: throw RequestError(description: "\(name) must be true or false, got '\(shortened(text))'")
        }
    }

    /// The epochs to send: `from`, `to`, `every` and `max-points` (default `defaultMaxPoints`, `0` for all).
    func sampling(defaultMaxPoints: Int?) throws -> EpochSampling {
        let limit = 1_000_000
        let from = try integer("from", in: 1...limit), to = try integer("to", in: 1...limit)
        if let from, let to, from > to { throw RequestError(description: "from (\(from)) must not be after to (\(to))") }
        let maxPoints = try integer("max-points", in: 0...limit)
        if let maxPoints, maxPoints == 1 { throw RequestError(description: "max-points must be 0 (all) or at least 2, got 1") }
        return EpochSampling(from: from, to: to, every: try integer("every", in: 1...limit) ?? 1,
                             maxPoints: maxPoints.map { $0 == 0 ? nil : $0 } ?? defaultMaxPoints)
    }

    /// The configurations named by `c=EXPERIMENT_ID:LABEL` (at most `limit`; one named twice counts once).
    func configurations(limit: Int = 100) throws -> [ConfigurationReference] {
        let items = unique(all("c"))
        guard items.count <= limit else { throw RequestError(description: "at most \(limit) configurations (c=…) at once, got \(items.count)") }
        return try items.map { item in
            guard let colon = item.firstIndex(of: ":"), let id = try? parseID(String(item[..<colon]), what: "experiment") else {
                throw RequestError(description: "c must be EXPERIMENT_ID:CONFIGURATION (e.g. 3:kernel L1L2(0.01,0.00)), got '\(shortened(item))'")
            }
            return ConfigurationReference(experimentID: id, label: String(item[item.index(after: colon)...]))
        }
    }

    /// The largest number of values one curves answer may hold (about 20 MB of JSON): more is refused, so that no
    /// request makes the server build an answer of hundreds of megabytes.
    static let valueLimit = 1_000_000

    /// Refuses an answer that would hold more than `valueLimit` values.
    static func checkSize(values: Int) throws {
        guard values <= valueLimit else {
            throw RequestError(description: "the answer would hold \(values) values, more than \(valueLimit); select fewer "
                               + "configurations or runs, an epoch range (from, to) or fewer points (max-points, every)")
        }
    }

    /// The runs named by `r=RUN_ID` (at most `limit`; one named twice counts once). A value may list several ids
    /// separated by spaces or commas, as the compare page's field does.
    func runIDs(limit: Int = 1000) throws -> [Int64] {
        let items = unique(all("r").flatMap { $0.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init) })
        guard items.count <= limit else { throw RequestError(description: "at most \(limit) runs (r=…) at once, got \(items.count)") }
        return try items.map { try parseID($0, what: "run") }
    }
}

/// The values in order, each once.
private func unique(_ values: [String]) -> [String] {
    var seen: Set<String> = []
    return values.filter { seen.insert($0).inserted }
}

/// An id in a path or query: a positive integer, written plainly (digits, no sign, no leading zero), so that one id
/// has one spelling.
func parseID(_ text: String?, what: String) throws -> Int64 {
    guard let text, text.first != "0", text.allSatisfy({ ("0"..."9").contains($0) }), let id = Int64(text), id > 0 else {
        throw RequestError(description: "\(what) ids are positive integers, got '\(shortened(text ?? ""))'")
    }
    return id
}

/// At most 80 characters of a value, on one line, for an error message.
func shortened(_ text: String) -> String {
    let line = text.map { $0.isNewline || $0.asciiValue.map { $0 < 0x20 } == true ? " " : String($0) }.joined()
    return line.count > 80 ? String(line.prefix(77)) + "..." : line
}
