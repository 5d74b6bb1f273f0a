/// Errors a user can cause when loading or framing a series; each message is one line naming the bad value (text
/// from the file or the command line is shown through `oneLine`, so a field holding a line break cannot break it).
public enum TimeSeriesError: Error, Equatable, CustomStringConvertible {
    case fileNotFound(path: String)
    case unreadableFile(path: String, reason: String)
    case emptyFile(path: String)
    case unknownColumn(name: String, available: [String])
    case columnIndexOutOfRange(index: Int, columnCount: Int)
    case raggedRow(line: Int, fieldCount: Int, expected: Int)
    case nonNumericValue(line: Int, value: String)
    /// A field holding a control character (a NUL byte, an escape…): `character` is its code point.
    case controlCharacter(line: Int, column: Int, character: UInt32)
    /// A number of magnitude above `SeriesLimits.largestMagnitude` or, unless 0, below `smallestMagnitude` (its
    /// differences, squared errors or scaling factors would overflow).
    case valueOutOfRange(line: Int, value: String)
    case tooFewObservations(count: Int, needed: Int, reason: String)
    case invalidParameter(name: String, value: Int, allowed: String)
    /// The differences cannot be scaled to [-1, 1] in floating point (a scaling factor would overflow).
    case unscalableSeries(minimum: Double, maximum: Double)

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "data file not found: \(oneLine(path))"
        case .unreadableFile(let path, let reason):
            return "cannot read data file \(oneLine(path)): \(oneLine(reason, limit: 160))"
        case .emptyFile(let path):
            return "data file \(oneLine(path)) holds no observations"
        case .unknownColumn(let name, let available):
            let names = available.prefix(20).map { "'\(oneLine($0, limit: 40))'" }.joined(separator: ", ")
            return "no column named '\(oneLine(name))'; the columns are \(names)\(available.count > 20 ? ", …" : "")"
        case .columnIndexOutOfRange(let index, let columnCount):
            return "column index \(index) is out of range; the file has \(columnCount) column(s), numbered from 0"
        case .raggedRow(let line, let fieldCount, let expected):
            let hint = fieldCount > expected ? " (an unquoted comma inside a value, such as a thousands separator?)" : ""
            return "line \(line) has \(fieldCount) field(s) where \(expected) were expected\(hint)"
        case .nonNumericValue(let line, let value):
            return "line \(line): '\(oneLine(value, limit: 40))' is not a number\(Self.hint(forNonNumeric: value))"
        case .controlCharacter(let line, let column, let character):
            let name = switch character {
            case 0: " (a NUL byte)"
            case 0x0A, 0x0D: " (a line break inside quotes: is a quote left open?)"
            default: ""
            }
            return "line \(line), column \(column + 1): the field holds the control character "
                + "U+\(String(character, radix: 16, uppercase: true).leftPadded(to: 4))\(name); remove it"
        case .valueOutOfRange(let line, let value):
            return "line \(line): '\(oneLine(value, limit: 40))' is out of range: values must be 0 or of magnitude from "
                + "\(SeriesLimits.smallestMagnitudeText) to \(SeriesLimits.largestMagnitudeText)"
        case .tooFewObservations(let count, let needed, let reason):
            return "the series has \(count) observations but \(needed) are needed (\(oneLine(reason, limit: 160)))"
        case .invalidParameter(let name, let value, let allowed):
            return "\(name) \(value) is not allowed: \(allowed)"
        case .unscalableSeries(let minimum, let maximum):
            return "the series' training differences, from \(minimum) to \(maximum), cannot be scaled to [-1, 1] in "
                + "floating point"
        }
    }

    /// Why a value that looks almost like a number is not taken as one.
    private static func hint(forNonNumeric value: String) -> String {
        let lowered = value.lowercased()
        if ["nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"].contains(lowered) {
            return " (values must be finite numbers)"
        }
        if looksLikeGroupedNumber(value) { return " (write it without thousands separators)" }
        if lowered.hasPrefix("0x") || lowered.hasPrefix("-0x") || lowered.hasPrefix("+0x") {
            return " (write it in decimal)"
        }
        return ""
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
