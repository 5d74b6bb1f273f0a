import Crypto
import Foundation

/// SHA-256 of a file's bytes, as lowercase hex.
public func sha256Hex(ofFileAt path: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw ArchiveError.io("cannot read \(path)")
    }
    return sha256Hex(of: data)
}

/// SHA-256 of bytes, as lowercase hex.
public func sha256Hex(of data: Data) -> String {
    hex(SHA256.hash(data: data))
}

/// The SHA-256 (hex) of a file's bytes; errors name the system's reason.
func hashFile(_ path: String) throws -> String {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw ArchiveError.io(systemError("cannot open \(path)")) }
    defer { close(descriptor) }
    var hasher = SHA256()
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
        if count < 0 && errno == EINTR { continue }
        guard count >= 0 else { throw ArchiveError.io(systemError("cannot read \(path)")) }
        if count == 0 { break }
        hasher.update(data: buffer[..<count])
    }
    return hex(hasher.finalize())
}

/// A digest's bytes as lowercase hex.
private func hex(_ digest: SHA256.Digest) -> String {
    digest.map { String(format: "%02x", $0) }.joined()
}
