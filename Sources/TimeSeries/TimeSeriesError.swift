/// Errors a user can cause when loading or framing a series; each message is one line naming the bad value.
public enum TimeSeriesError: Error, Equatable, CustomStringConvertible {
    case fileNotFound(path: String)
    case unreadableFile(path: String, reason: String)
    case emptyFile(path: String)
    case unknownColumn(name: String, available: [String])
    case columnIndexOutOfRange(index: Int, columnCount: Int)
    case raggedRow(line: Int, fieldCount: Int, expected: Int)
    case nonNumericValue(line: Int, value: String)
    case tooFewObservations(count: Int, needed: Int, reason: String)
    case invalidParameter(name: String, value: Int, allowed: String)

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "data file not found: \(path)"
        case .unreadableFile(let path, let reason):
            return "cannot read data file \(path): \(reason)"
        case .emptyFile(let path):
            return "data file \(path) holds no observations"
        case .unknownColumn(let name, let available):
            return "no column named '\(name)'; the columns are \(available.map { "'\($0)'" }.joined(separator: ", "))"
        case .columnIndexOutOfRange(let index, let columnCount):
            return "column index \(index) is out of range; the file has \(columnCount) column(s), numbered from 0"
        case .raggedRow(let line, let fieldCount, let expected):
            return "line \(line) has \(fieldCount) field(s) where \(expected) were expected"
        case .nonNumericValue(let line, let value):
            return "line \(line): '\(value)' is not a number"
        case .tooFewObservations(let count, let needed, let reason):
            return "the series has \(count) observations but \(needed) are needed (\(reason))"
        case .invalidParameter(let name, let value, let allowed):
            return "\(name) \(value) is not allowed: \(allowed)"
        }
    }
}
