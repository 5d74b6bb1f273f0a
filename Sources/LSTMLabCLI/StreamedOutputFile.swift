import Archive
import Foundation
import TimeSeries

/// A file written in pieces and put in place only when complete: the text goes to a fresh file beside it, renamed
/// over the path by `commit()`, so a failure part-way leaves an earlier file as it was and nothing is ever written
/// through a link or into a device.
///
/// The path must be new or name a regular file: a symbolic link, folder, device, FIFO or socket is refused, as is any
/// of `protected` (the archive and its companion files, however spelled or hard-linked) and anything inside one of
/// `protectedFolders` (the archive's checkpoints). Each refusal is one line naming `option` and the path.
final class StreamedOutputFile {
    private let path: String
    private let option: String
    private let temporaryPath: String
    private let descriptor: Int32

    init(path: String, option: String, protected: [String], protectedFolders: [String]) throws {
        self.path = path
        self.option = option
        let (folder, name) = Self.split(path)
        guard !name.isEmpty else { throw CommandFailure(message: "\(option) '\(oneLine(path))' must name a file") }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw CommandFailure(message: "cannot write \(option) \(oneLine(path)): the folder \(oneLine(folder)) does not exist")
        }
        guard access(folder, W_OK | X_OK) == 0 else {
            throw CommandFailure(message: "cannot write \(option) \(oneLine(path)): \(oneLine(folder)): \(systemErrorMessage(errno))")
        }
        var status = stat()
        let exists = lstat(path, &status) == 0
        if exists {
            guard status.st_mode & S_IFMT == S_IFREG else {
                throw CommandFailure(message: "cannot write \(option) \(oneLine(path)): it is \(Self.kind(status.st_mode)), "
                                     + "not a regular file; name a new file or a regular one")
            }
        }
        // The same file under another name (a hard link), or the same name spelled otherwise (even before it exists).
        let spelled = Self.canonicalName(path)
        for other in protected {
            var otherStatus = stat()
            let sameFile = exists && stat(other, &otherStatus) == 0 && otherStatus.st_dev == status.st_dev
                && otherStatus.st_ino == status.st_ino
            if sameFile || (spelled != nil && spelled == Self.canonicalName(other)) {
                throw CommandFailure(message: "cannot write \(option) \(oneLine(path)): it is the archive's file "
                                     + "\(oneLine(other)); name another file")
            }
        }
        if let canonicalFolder = canonicalPath(folder),
           let inside = protectedFolders.compactMap(canonicalPath).first(where: { (canonicalFolder + "/").hasPrefix($0 + "/") }) {
            throw CommandFailure(message: "cannot write \(option) \(oneLine(path)): it is inside the archive's folder "
                                 + "\(oneLine(inside)); name a file elsewhere")
        }
        var template = Array("\(folder)/.\(name).XXXXXX".utf8CString)
        descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw CommandFailure(message: "cannot write \(option) \(oneLine(path)): \(systemErrorMessage(errno))")
        }
        temporaryPath = String(cString: template)
        // The permissions a new file gets (0666 less the umask), or those of the file it replaces.
        let mask = umask(0)
        umask(mask)
        fchmod(descriptor, exists ? status.st_mode & 0o7777 : 0o666 & ~mask)
    }

    /// Appends `text`; a failed write (a full disk) is a one-line error with the system's reason.
    func write(_ text: String) throws {
        var failure: Int32?
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var written = 0
            while written < buffer.count {
                let count = Foundation.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { failure = count < 0 ? errno : EIO; return }
                written += count
            }
        }
        if let failure {
            throw CommandFailure(message: "cannot write \(option) \(oneLine(path)): \(systemErrorMessage(failure))")
        }
    }

    /// Puts the complete file in place.
    func commit() throws {
        let synced = fsync(descriptor) == 0 ? 0 : errno
        close(descriptor)
        guard synced == 0 || synced == EINVAL, rename(temporaryPath, path) == 0 else {
            let reason = systemErrorMessage(synced != 0 && synced != EINVAL ? synced : errno)
            unlink(temporaryPath)
            throw CommandFailure(message: "cannot write \(option) \(oneLine(path)): \(reason)")
        }
    }

    /// Removes the unfinished file; the path is left as it was.
    func discard() {
        close(descriptor)
        unlink(temporaryPath)
    }

    /// A path's folder and last name, split by hand: Foundation's `deletingLastPathComponent` traps on a one-letter
    /// name.
    private static func split(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        return (slash == path.startIndex ? "/" : String(path[..<slash]), String(path[path.index(after: slash)...]))
    }

    /// The path with its folder's links and `..` resolved; nil when the folder does not exist.
    private static func canonicalName(_ path: String) -> String? {
        let (folder, name) = split(path)
        return canonicalPath(folder).map { ($0 == "/" ? "" : $0) + "/" + name }
    }

    private static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFLNK: "a symbolic link"
        case S_IFDIR: "a folder"
        case S_IFCHR, S_IFBLK: "a device"
        case S_IFIFO: "a FIFO"
        case S_IFSOCK: "a socket"
        default: "a special file"
        }
    }
}
