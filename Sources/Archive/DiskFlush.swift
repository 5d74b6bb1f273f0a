import Dispatch
import Foundation
import Synchronization
import TimeSeries

/// Flushes written files to the disk (`fsync`), then each of their folders once, so that they and their names
/// survive a power loss. (All the paths must be on one file system.)
public func flushToDisk(_ paths: [String]) throws {
    // The files' flushes are waits on the disk, not work: they are issued together, from several threads.
    let failures = Mutex<[String]>([])
    DispatchQueue.concurrentPerform(iterations: paths.count) { index in
        let path = paths[index]
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return failures.withLock { $0.append(systemError("cannot open \(path)")) } }
        defer { close(descriptor) }
        if fsync(descriptor) != 0 { failures.withLock { $0.append(systemError("cannot flush \(path) to the disk")) } }
    }
    if let failure = failures.withLock({ $0.first }) { throw ArchiveError.io(failure) }
    for folder in Set(paths.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path }) {
        try flushFolder(folder)
    }
}

/// Flushes a folder's entries (a new file in it) to the disk.
func flushFolder(_ path: String) throws {
    let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard descriptor >= 0 else { throw ArchiveError.io(systemError("cannot open the folder \(path)")) }
    defer { close(descriptor) }
    guard fsync(descriptor) == 0 else { throw ArchiveError.io(systemError("cannot flush the folder \(path) to the disk")) }
}

/// `message: <the C library's text for errno> (errno N)`, e.g. "… : No space left on device (errno 28)".
func systemError(_ message: String) -> String {
    let code = errno
    guard code != 0 else { return message }
    return "\(message): \(systemErrorMessage(code)) (errno \(code))"
}
