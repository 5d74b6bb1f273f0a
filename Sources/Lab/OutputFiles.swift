import Archive
import Foundation
import TimeSeries

/// A file a command was asked to write that it must not write, or could not: one line naming the option, the path and
/// the reason.
public struct OutputFileError: Error, Equatable, CustomStringConvertible {
    public var message: String

    init(_ option: String, _ path: String, _ reason: String) {
        message = "cannot write \(option) \(oneLine(path, limit: 200)): \(reason)"
    }

    public var description: String { message }
}

/// Where lstmlab writes the files a user names (figures, tables, notebooks, batch scripts): only there, and never
/// over something it could not have written itself. Every writer goes through `checkOutputFile` and `writeOutputFile`.
public enum OutputFiles {
    /// The kinds of file lstmlab writes, by extension: only an existing file with one of them is ever replaced.
    public static let replaceableExtensions: Set<String> = ["svg", "csv", "json", "jsonl", "md", "txt", "html", "sbatch"]

    /// Checks that `path` may be written as a file, before any work and again right before writing. Refused, each in
    /// one line: a path that is not a regular file (a folder, a symbolic link, a device, pipe or socket); an SQLite
    /// database or HDF5 file, whatever its name; the archive `archive`, its side files (`-wal`, `-shm`, `-journal`)
    /// and anything inside its checkpoints folder, and the same of any other archive found there; an existing file
    /// whose extension is not one lstmlab writes (`replaceableExtensions`). A missing file may be created when its
    /// folder exists.
    public static func checkOutputFile(_ path: String, option: String, archive: String? = nil) throws {
        guard !path.isEmpty, !path.hasSuffix("/") else {
            throw OutputFileError(option, path, "it must name a file")
        }
        var status = stat()
        if lstat(path, &status) == 0 {
            switch UInt32(status.st_mode) & 0o170000 {
            case 0o100000: break
            case 0o040000: throw OutputFileError(option, path, "it is a folder")
            case 0o120000:
                throw OutputFileError(option, path, "it is a symbolic link; lstmlab replaces only regular files")
            default:
                throw OutputFileError(option, path, "it is a device, pipe or socket, not a regular file")
            }
        }
        let target = canonicalTarget(path)
        if let owner = archiveOwning(target, archive: archive) { throw OutputFileError(option, path, owner) }
        guard lstat(path, &status) == 0 else { return }
        if let kind = protectedContents(path) {
            throw OutputFileError(option, path, "it holds \(kind); lstmlab never replaces one")
        }
        let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
        guard replaceableExtensions.contains(ext) else {
            throw OutputFileError(option, path, "the file exists and is not one lstmlab writes ("
                                  + replaceableExtensions.sorted().map { "." + $0 }.joined(separator: " ")
                                  + "); remove it or choose another name")
        }
    }

    /// Checks that `path` may hold written files: not inside an archive's checkpoints folder, and not a file.
    public static func checkOutputFolder(_ path: String, option: String, archive: String? = nil) throws {
        guard !path.isEmpty else { throw OutputFileError(option, path, "it must name a folder") }
        if let owner = archiveOwning(canonicalTarget(path), archive: archive) { throw OutputFileError(option, path, owner) }
        if let kind = protectedContents(path) { throw OutputFileError(option, path, "it holds \(kind), not a folder") }
    }

    /// Writes `contents` to `path` after `checkOutputFile`: into a new temporary file in the same folder, then renamed
    /// over the target, so that the target is either as it was or entirely the new contents. A replaced file keeps
    /// its permissions.
    public static func writeOutputFile(_ contents: Data, to path: String, option: String, archive: String? = nil) throws {
        try checkOutputFile(path, option: option, archive: archive)
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temporary = "\(folder)/.\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        var existing = stat()
        let mode = lstat(path, &existing) == 0 ? mode_t(existing.st_mode) & 0o7777 : 0o666
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw OutputFileError(option, path, systemErrorMessage(errno)) }
        var failure: String?
        contents.withUnsafeBytes { bytes in
            var written = 0
            while written < bytes.count {
                let count = Foundation.write(descriptor, bytes.baseAddress! + written, bytes.count - written)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else {
                    failure = systemErrorMessage(count < 0 ? errno : EIO)
                    return
                }
                written += count
            }
        }
        if failure == nil, lstat(path, &existing) == 0 { _ = fchmod(descriptor, mode) }
        if close(descriptor) != 0, failure == nil { failure = systemErrorMessage(errno) }
        do {
            if let failure { throw OutputFileError(option, path, failure) }
            // Whatever came to be at the path meanwhile is checked again before it is replaced.
            try checkOutputFile(path, option: option, archive: archive)
            guard rename(temporary, path) == 0 else { throw OutputFileError(option, path, systemErrorMessage(errno)) }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// The path with its folder's symbolic links resolved (the last component as given: a link there is refused).
    static func canonicalTarget(_ path: String) -> String {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        var folder = url.deletingLastPathComponent()
        var missing: [String] = [url.lastPathComponent]
        // The nearest existing folder is resolved; the missing ones below it are appended as named.
        while canonicalPath(folder.path) == nil, folder.path != "/" {
            missing.insert(folder.lastPathComponent, at: 0)
            folder = folder.deletingLastPathComponent()
        }
        let base = canonicalPath(folder.path) ?? folder.path
        return ([base == "/" ? "" : base] + missing).joined(separator: "/")
    }

    /// Why `target` (canonical) belongs to an archive: it is the archive (`archive`, or any SQLite file the path
    /// names), one of its side files, or inside its checkpoints folder; nil when it belongs to none.
    static func archiveOwning(_ target: String, archive: String?) -> String? {
        if let archive, let database = canonicalPath(archive) {
            for suffix in ["", "-wal", "-shm", "-journal"] where target == database + suffix {
                return suffix.isEmpty ? "it is the archive" : "it is the archive's \(suffix.dropFirst()) file"
            }
            let checkpoints = canonicalPath(ArchiveStore.checkpointsDirectory(forArchive: database))
                ?? ArchiveStore.checkpointsDirectory(forArchive: database)
            if target == checkpoints || target.hasPrefix(checkpoints + "/") {
                return "it is inside the archive's checkpoints folder \(oneLine(checkpoints, limit: 200))"
            }
        }
        for suffix in ["-wal", "-shm", "-journal"] where target.hasSuffix(suffix) {
            let database = String(target.dropLast(suffix.count))
            if protectedContents(database) != nil { return "it is the \(suffix.dropFirst()) file of the database \(oneLine(database, limit: 200))" }
        }
        // Inside `<name>.checkpoints/` beside a database `<name>`: another archive's checkpoints.
        var folder = URL(fileURLWithPath: target)
        while folder.path != "/" {
            folder = folder.deletingLastPathComponent()
            let name = folder.lastPathComponent
            if name.hasSuffix(".checkpoints") {
                let database = folder.deletingLastPathComponent().appendingPathComponent(String(name.dropLast(".checkpoints".count))).path
                if protectedContents(database) != nil {
                    return "it is inside the checkpoints folder of the archive \(oneLine(database, limit: 200))"
                }
            }
        }
        return nil
    }

    /// `an SQLite database` or `an HDF5 file` when the regular file at `path` starts with their signature; nil
    /// otherwise (or when it cannot be read).
    static func protectedContents(_ path: String) -> String? {
        var status = stat()
        guard stat(path, &status) == 0, UInt32(status.st_mode) & 0o170000 == 0o100000 else { return nil }
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        if header.starts(with: Data("SQLite format 3\0".utf8)) { return "an SQLite database" }
        if header.starts(with: Data([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a])) { return "an HDF5 file" }
        return nil
    }
}
