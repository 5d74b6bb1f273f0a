import Foundation
import TimeSeries

/// Checks, before any work, that `path` can be written as a file: it is not a folder, and its folder exists and is
/// writable. Throws a one-line `CommandFailure` naming the option and the system's reason.
func checkWritableFile(_ path: String, option: String) throws {
    guard !path.isEmpty, !path.hasSuffix("/") else {
        throw CommandFailure(message: "\(option) '\(oneLine(path))' must name a file")
    }
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
        throw CommandFailure(message: "cannot write \(option) \(oneLine(path)): it is a folder")
    }
    let folder = (path as NSString).deletingLastPathComponent
    try checkWritableFolder(folder.isEmpty ? "." : folder, for: path, option: option, mayCreate: false)
}

/// Checks, before any work, that files can be written in the folder `path`, which is created (with its parents)
/// when missing: its nearest existing ancestor must be a writable folder. With `create`, the folder is created now,
/// so that a place where no folder can be made (such as `/proc`) is refused before a long job rather than after it.
func checkWritableDirectory(_ path: String, option: String, create: Bool = false, for target: String? = nil) throws {
    guard !path.isEmpty else { throw CommandFailure(message: "\(option) must name a folder") }
    try checkWritableFolder(path, for: target ?? path, option: option, mayCreate: true)
    guard create else { return }
    do {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
        throw CommandFailure(message: "cannot create \(option) \(oneLine(path)): \(fileErrorReason(error))")
    }
}

private func checkWritableFolder(_ folder: String, for path: String, option: String, mayCreate: Bool) throws {
    var candidate = folder
    while true {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw CommandFailure(message: "cannot write \(option) \(oneLine(path)): \(oneLine(candidate)) is not a folder")
            }
            guard access(candidate, W_OK | X_OK) == 0 else {
                throw CommandFailure(message: "cannot write \(option) \(oneLine(path)): \(oneLine(candidate)): "
                                     + systemErrorMessage(errno))
            }
            return
        }
        guard mayCreate else {
            throw CommandFailure(message: "cannot write \(option) \(oneLine(path)): the folder \(oneLine(candidate)) does not exist")
        }
        var parent = (candidate as NSString).deletingLastPathComponent
        if parent.isEmpty && candidate != "." { parent = "." }
        if parent.isEmpty || parent == candidate {
            throw CommandFailure(message: "cannot write \(option) \(oneLine(path)): no existing folder contains it")
        }
        candidate = parent
    }
}

/// Writes `text` to `path` (replacing it atomically); a failure is a one-line `CommandFailure` with the system's
/// reason instead of Foundation's error dump.
func writeOutputFile(_ text: String, to path: String, option: String) throws {
    do {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
        throw CommandFailure(message: "cannot write \(option) \(oneLine(path)): \(fileErrorReason(error))")
    }
}
