import Foundation
import GRDB
import Synchronization

/// A read-only view of an archive's database that is right or refuses, whoever may be writing it meanwhile.
///
/// SQLite reads a database in WAL mode through its shared-memory file `-shm`, beside the database; a reader that
/// can create it, or finds it (even read-only), reads consistently while others write (`shared`). A reader that
/// can do neither (a folder it may not write, and no writer active) cannot open the file through SQLite's locks at
/// all; read as `immutable`, SQLite would take the file for unchanging and give stale or malformed answers as soon
/// as another process (another user, or root) writes it. So such a reader reads a private snapshot instead: the
/// database and its log copied into a temporary folder while no process had them open (checked by their size,
/// change times and inode, and the absence of `-shm`, before and after the copy), made self-contained there and
/// read from it. Before each read, a snapshot whose source has changed is taken again (or, once a writer has made
/// `-shm`, given up for a shared read). Only a file system mounted read-only, which nobody can write, is read as
/// immutable.
final class ReadOnlyDatabase: Sendable {
    /// How the current connection reads the database.
    enum Mode: Equatable {
        /// Through SQLite's own locks and `-shm`.
        case shared
        /// A private copy, taken when the source looked as `source`.
        case snapshot(source: FileSignature)
        /// As an unchanging file (a read-only file system).
        case immutable
    }

    /// The database file's absolute path, and the archive as the user named it (in messages).
    let path: String
    let name: String
    private let state: Mutex<(queue: DatabaseQueue, mode: Mode)>

    init(path: String, name: String) throws {
        self.path = path
        self.name = name
        state = Mutex(try Self.open(path, name: name))
    }

    var mode: Mode { state.withLock { $0.mode } }

    /// The connection to read through now: a snapshot whose source changed since it was taken is taken again first.
    func current() throws -> DatabaseQueue {
        let (queue, mode) = state.withLock { ($0.queue, $0.mode) }
        guard case .snapshot(let source) = mode, FileSignature(of: path) != source else { return queue }
        let reopened = try Self.open(path, name: name)
        state.withLock { $0 = reopened }
        return reopened.queue
    }

    /// Closes the current connection.
    func close() {
        let queue = state.withLock { $0.queue }
        try? queue.close()
    }

    private static var configuration: Configuration {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(ArchiveStore.busyTimeout)
        return configuration
    }

    /// Opens the database as it can be read consistently from here (see the type's documentation).
    private static func open(_ path: String, name: String) throws -> (queue: DatabaseQueue, mode: Mode) {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if FileManager.default.fileExists(atPath: path + "-wal") && Foundation.access(path + "-wal", R_OK) != 0 {
            throw ArchiveError.permissionDenied(path: name + "-wal", doing: "read the archive's write-ahead log")
        }
        var lastError: (any Error)?
        for attempt in 0..<8 {
            if attempt > 0 { usleep(UInt32(10_000 * attempt)) }
            let sideFilesPossible = Foundation.access(folder, W_OK) == 0
            let sharedMemory = FileManager.default.fileExists(atPath: path + "-shm")
            if !isWriteAheadLogDatabase(path) || sideFilesPossible || sharedMemory {
                do {
                    return (try DatabaseQueue(path: path, configuration: configuration), .shared)
                } catch {
                    // A writer's -shm gone between the look and the open (it closed): look again.
                    lastError = error
                    if sharedMemory && !sideFilesPossible { continue }
                    throw ArchiveError.describing(error, path: name)
                }
            }
            if isReadOnlyFileSystem(folder) && logSize(path) <= 32 {
                // Nobody can write here, and a log of no more than its header holds no transaction.
                let uri = "file:" + (path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path) + "?immutable=1"
                do {
                    return (try DatabaseQueue(path: uri, configuration: configuration), .immutable)
                } catch {
                    throw ArchiveError.describing(error, path: name)
                }
            }
            if let snapshot = try snapshot(path, name: name) { return snapshot }
        }
        throw lastError.map { ArchiveError.describing($0, path: name) }
            ?? ArchiveError.io("cannot read the archive \(name) consistently from here: another process keeps writing it while its "
                               + "folder cannot be written (SQLite needs \(name)-shm); read it where its folder can be written")
    }

    /// A private copy of the database (and its log), taken while no process had it open; nil when one did meanwhile
    /// (its `-shm` appeared, or the files changed during the copy).
    private static func snapshot(_ path: String, name: String) throws -> (queue: DatabaseQueue, mode: Mode)? {
        let before = FileSignature.settled(of: path)
        guard !before.sharedMemory else { return nil }
        let template = NSTemporaryDirectory().appending("lstmlab-snapshot-XXXXXX")
        var buffer = Array(template.utf8CString)
        guard let made = mkdtemp(&buffer) else {
            throw ArchiveError.io(unreadableHere(name, because: "no private copy can be made in \(NSTemporaryDirectory()): "
                                                 + systemError("mkdtemp")))
        }
        let folder = String(cString: made)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let copy = folder + "/archive.sqlite"
        do {
            try copyFile(path, to: copy)
            if before.log != nil { try copyFile(path + "-wal", to: copy + "-wal") }
        } catch {
            throw ArchiveError.io(unreadableHere(name, because: "no private copy can be made in \(NSTemporaryDirectory()) (\(error))"))
        }
        guard FileSignature(of: path) == before else { return nil }
        do {
            // The copy is ours: its log is folded into it, so that it reads alone, without side files.
            let writer = try DatabaseQueue(path: copy)
            try writer.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
                try db.execute(sql: "PRAGMA journal_mode = DELETE")
            }
            try writer.close()
            let queue = try DatabaseQueue(path: copy, configuration: configuration)
            try queue.read { db in _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") }
            return (queue, .snapshot(source: before))
        } catch {
            throw ArchiveError.describing(error, path: name)
        }
    }

    private static func unreadableHere(_ path: String, because reason: String) -> String {
        "cannot read the archive \(path) consistently from here: its folder cannot be written (SQLite needs \(path)-shm "
            + "beside it to read while another process may write), and \(reason)"
    }

    /// Copies a file's bytes (the copy is private: plain reads and writes).
    private static func copyFile(_ source: String, to destination: String) throws {
        let input = Glibc.open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw ArchiveError.io(systemError("cannot open \(source)")) }
        defer { Foundation.close(input) }
        let output = Glibc.open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard output >= 0 else { throw ArchiveError.io(systemError("cannot create \(destination)")) }
        defer { Foundation.close(output) }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(input, $0.baseAddress!, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw ArchiveError.io(systemError("cannot read \(source)")) }
            if count == 0 { return }
            var written = 0
            while written < count {
                let step = chunk.withUnsafeBytes { write(output, $0.baseAddress! + written, count - written) }
                if step < 0 && errno == EINTR { continue }
                guard step > 0 else { throw ArchiveError.io(systemError("cannot write \(destination)")) }
                written += step
            }
        }
    }

    /// Whether the file is an SQLite database in WAL mode (header bytes 18 and 19 are 2): one that needs `-shm`.
    static func isWriteAheadLogDatabase(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard let header = try? handle.read(upToCount: 20), header.count == 20 else { return false }
        return header.starts(with: Data("SQLite format 3\0".utf8)) && header[18] == 2 && header[19] == 2
    }

    /// The size of the database's write-ahead log (0 when there is none).
    static func logSize(_ path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
    }

    /// Whether the folder is on a file system mounted read-only, which no process can write.
    static func isReadOnlyFileSystem(_ folder: String) -> Bool {
        var status = statvfs()
        return statvfs(folder, &status) == 0 && status.f_flag & UInt(ST_RDONLY) != 0
    }
}

/// What identifies the state of a database file, its log and their folder: any write to them changes it (their
/// size, modification and change times, inode), and so does a process opening the database in WAL mode (its `-shm`).
struct FileSignature: Equatable, Sendable {
    struct Stamp: Equatable, Sendable {
        var device: UInt64, inode: UInt64, size: Int64
        var modified: Int, modifiedNanoseconds: Int, changed: Int, changedNanoseconds: Int

        init?(_ path: String) {
            var status = stat()
            guard stat(path, &status) == 0 else { return nil }
            device = UInt64(status.st_dev)
            inode = UInt64(status.st_ino)
            size = Int64(status.st_size)
            modified = status.st_mtim.tv_sec
            modifiedNanoseconds = status.st_mtim.tv_nsec
            changed = status.st_ctim.tv_sec
            changedNanoseconds = status.st_ctim.tv_nsec
        }

        var changedAt: Double { Double(changed) + Double(changedNanoseconds) / 1e9 }
    }

    var database: Stamp?
    var log: Stamp?
    var folder: Stamp?
    var sharedMemory: Bool

    init(of path: String) {
        database = Stamp(path)
        log = Stamp(path + "-wal")
        folder = Stamp(URL(fileURLWithPath: path).deletingLastPathComponent().path)
        sharedMemory = FileManager.default.fileExists(atPath: path + "-shm")
    }

    /// The signature once the files' last change is older than the coarse clock's current tick: a later write then
    /// always changes a change time, even within one tick of the file system's clock.
    static func settled(of path: String) -> FileSignature {
        for _ in 0..<50 {
            let signature = FileSignature(of: path)
            var now = timespec()
            clock_gettime(CLOCK_REALTIME_COARSE, &now)
            let latest = [signature.database, signature.log, signature.folder].compactMap { $0?.changedAt }.max() ?? 0
            if latest < Double(now.tv_sec) + Double(now.tv_nsec) / 1e9 { return signature }
            usleep(5_000)
        }
        return FileSignature(of: path)
    }
}
