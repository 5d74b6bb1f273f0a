import Foundation
import Lab
import TimeSeries

/// Checks, before any work, that `path` can be written as a file: what `OutputFiles.checkOutputFile` allows (a
/// regular file lstmlab could have written, or a new one, never the archive `archive` or its files), in a folder that
/// exists and is writable. Throws a one-line error naming the option and the reason.
func checkWritableFile(_ path: String, option: String, archive: String? = nil) throws {
    guard !path.isEmpty, !path.hasSuffix("/") else {
        throw CommandFailure(message: "\(option) '\(oneLine(path))' must name a file")
    }
    try OutputFiles.checkOutputFile(path, option: option, archive: archive)
    let folder = parentPath(path)
    try checkWritableFolder(folder.isEmpty ? "." : folder, for: path, option: option, mayCreate: false)
}

/// Checks, before any work, that files can be written in the folder `path`, which is created (with its parents)
/// when missing: its nearest existing ancestor must be a writable folder. With `create`, the folder is created now,
/// so that a place where no folder can be made (such as `/proc`) is refused before a long job rather than after it.
func checkWritableDirectory(_ path: String, option: String, create: Bool = false, for target: String? = nil,
                            archive: String? = nil) throws {
    guard !path.isEmpty else { throw CommandFailure(message: "\(option) must name a folder") }
    try OutputFiles.checkOutputFolder(path, option: option, archive: archive)
    try checkWritableFolder(path, for: target ?? path, option: option, mayCreate: true)
    guard create else { return }
    do {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
        throw CommandFailure(message: "cannot create \(option) \(oneLine(path)): \(fileErrorReason(error))")
    }
}

/// The folder part of `path` as written, trailing slashes ignored: "" for a bare name (`c`, `c/`), "/" for a name
/// at the root (`/c`), `a/b` for `a/b/c`. Pure string work: Foundation's `deletingLastPathComponent` traps on some
/// one-character paths.
func parentPath(_ path: String) -> String {
    var name = Substring(path)
    while name.count > 1, name.hasSuffix("/") { name = name.dropLast() }
    guard let slash = name.lastIndex(of: "/") else { return "" }
    var folder = name[..<slash]
    while folder.hasSuffix("/") { folder = folder.dropLast() }
    return folder.isEmpty ? "/" : String(folder)
}

private func checkWritableFolder(_ folder: String, for path: String, option: String, mayCreate: Bool) throws {
    // "file/" names the file `file`: without the slash it is found, and refused as not a folder.
    var candidate = folder
    while candidate.count > 1, candidate.hasSuffix("/") { candidate.removeLast() }
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
        var parent = parentPath(candidate)
        if parent.isEmpty && candidate != "." { parent = "." }
        if parent.isEmpty || parent == candidate {
            throw CommandFailure(message: "cannot write \(option) \(oneLine(path)): no existing folder contains it")
        }
        candidate = parent
    }
}

/// Writes `text` to `path` through `OutputFiles.writeOutputFile` (checked again, then replaced atomically); a
/// failure is one line with the reason.
func writeOutputFile(_ text: String, to path: String, option: String, archive: String? = nil) throws {
    try OutputFiles.writeOutputFile(Data(text.utf8), to: path, option: option, archive: archive)
}
