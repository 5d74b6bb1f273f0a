import Foundation

/// Why a file given on the command line cannot be read.
public enum FileReadProblem: Error, Equatable, CustomStringConvertible {
    case notFound
    case isDirectory
    case tooLarge(limit: Int)
    /// The system's reason (`strerror`), e.g. "Permission denied".
    case system(String)

    public var description: String {
        switch self {
        case .notFound: "no such file"
        case .isDirectory: "it is a directory, not a file"
        case .tooLarge(let limit): "the file is larger than \(formatByteCount(limit)), the most this reads"
        case .system(let reason): reason
        }
    }
}

/// A byte count for messages: `64 MB`, `1.5 GB`.
public func formatByteCount(_ bytes: some BinaryInteger) -> String { formatByteCount(Double(bytes)) }

/// A byte count for messages: `64 MB`, `1.5 GB`.
public func formatByteCount(_ bytes: Double) -> String {
    let units = ["bytes", "KB", "MB", "GB", "TB", "PB", "EB"]
    var value = bytes
    var unit = 0
    while value >= 1024, unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    if unit == 0 { return "\(Int(value)) bytes" }
    if value >= 1e6 { return String(format: "%.3g %@", value, units[unit]) }
    let rounded = (value * 10).rounded() / 10
    return rounded == rounded.rounded() ? "\(Int(rounded)) \(units[unit])" : "\(rounded) \(units[unit])"
}

/// Reads a whole file a user named, refusing directories and anything larger than `maximumBytes` (devices and pipes
/// included: at most `maximumBytes + 1` bytes are ever read), with the system's reason when it cannot.
public func readInputFile(atPath path: String, maximumBytes: Int) throws(FileReadProblem) -> Data {
    var status = stat()
    guard stat(path, &status) == 0 else {
        let code = errno
        throw code == ENOENT || code == ENOTDIR ? .notFound : .system(systemErrorMessage(code))
    }
    let fileType = UInt32(status.st_mode) & 0o170000
    if fileType == 0o040000 { throw .isDirectory }
    // A pipe or device could block forever or never end: only regular files are read.
    if fileType != 0o100000 { throw .system("not a regular file (a pipe, device or socket)") }
    if fileType == 0o100000, status.st_size > maximumBytes { throw .tooLarge(limit: maximumBytes) }
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { throw .system(systemErrorMessage(errno)) }
    defer { close(descriptor) }
    var bytes: [UInt8] = []
    let chunkSize = 1 << 16
    var chunk = [UInt8](repeating: 0, count: chunkSize)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, chunkSize) }
        if count < 0 {
            if errno == EINTR { continue }
            throw .system(systemErrorMessage(errno))
        }
        if count == 0 { break }
        bytes += chunk[0..<count]
        if bytes.count > maximumBytes { throw .tooLarge(limit: maximumBytes) }
    }
    return Data(bytes)
}

/// The byte offset of the first byte that is not valid UTF-8, or nil when all of `bytes` is valid UTF-8.
public func firstInvalidUTF8Offset(_ bytes: some Collection<UInt8>) -> Int? {
    var parser = Unicode.UTF8.ForwardParser()
    var iterator = bytes.makeIterator()
    var offset = 0
    while true {
        switch parser.parseScalar(from: &iterator) {
        case .valid(let encoded): offset += encoded.count
        case .emptyInput: return nil
        case .error: return offset
        }
    }
}
