import Foundation
import GRDB

/// How a command uses an archive.
public enum ArchiveAccess: Sendable, Equatable {
    /// Read only: nothing is written, not even the SQLite side files when the folder is read-only; an archive that
    /// needs upgrading is refused with a message saying how.
    case read
    /// Read and write an existing archive (upgrading an older one).
    case write
    /// Read and write, creating the archive (and its folder) when missing.
    case create
}

/// The research archive: an SQLite database (WAL, foreign keys, a bounded busy timeout so that several processes
/// can write at once) and its own checkpoints folder beside it, `<name>.checkpoints/` for `<name>.sqlite`, with one
/// HDF5 file per run (archives of lstmlab 0.1 keep the runs they have in a shared `checkpoints/` folder).
public final class ArchiveStore: Sendable {
    public let path: String
    public let access: ArchiveAccess
    /// `<name>.checkpoints/` beside the database file `<name>.sqlite`.
    public let checkpointsDirectory: String
    private let connection: Connection

    /// A writer's pool, or a reader's view that stays consistent while others write (`ReadOnlyDatabase`).
    private enum Connection: Sendable {
        case writer(DatabasePool)
        case reader(ReadOnlyDatabase)
    }

    /// The database to read or write through now.
    var database: any DatabaseWriter {
        get throws {
            switch connection {
            case .writer(let pool): return pool
            case .reader(let reader): return try reader.current()
            }
        }
    }

    /// The default archive, relative to the working directory.
    public static let defaultPath = "runs/archive.sqlite"

    /// The schema migrations an existing archive still needs (empty when it is current), found read-only.
    public static func pendingMigrations(path: String) throws -> [String] {
        try checkRegularFile(URL(fileURLWithPath: path).resolvingSymlinksInPath().path, given: path)
        guard FileManager.default.fileExists(atPath: path) else { throw ArchiveError.missingArchive(path: path) }
        guard Foundation.access(path, R_OK) == 0 else { throw ArchiveError.permissionDenied(path: path, doing: "read") }
        let (result, reader) = try probe(absolutePath(path), named: path, migrator: ArchiveSchema.migrator)
        reader?.close()
        switch result {
        case .notSQLite, .empty: throw ArchiveError.notAnArchive(path: path)
        case .foreignDatabase: throw ArchiveError.foreignDatabase(path: path)
        case .archive(let unknown, let pending):
            guard unknown.isEmpty else { throw ArchiveError.newerSchema(path: path, unknownMigrations: unknown) }
            return pending
        }
    }

    /// How long a command waits for another process's write transaction before it says the archive is busy.
    public static let busyTimeout: TimeInterval = 30

    /// Opens an archive for reading and writing; `create` creates it when missing (otherwise that is an error).
    public convenience init(path: String, create: Bool) throws {
        try self.init(path: path, access: create ? .create : .write)
    }

    /// Opens an archive. Existing files are looked at read-only first: a file that is not an archive of ours, or of a
    /// newer lstmlab, is refused and left exactly as it is.
    public init(path: String, access: ArchiveAccess) throws {
        self.path = path
        self.access = access
        // SQLite is only ever given an absolute path: a name such as `file:x?mode=memory` is a file of that name here,
        // never a URI (which SQLite would read as another database, or options).
        let databasePath = Self.absolutePath(path)
        // Through a symbolic link, the archive is where the link points: its checkpoints are beside the real file.
        let url = URL(fileURLWithPath: path).resolvingSymlinksInPath()
        let directory = url.deletingLastPathComponent()
        checkpointsDirectory = Self.checkpointsDirectory(forArchive: path)
        let migrator = ArchiveSchema.migrator
        var isDirectory: ObjCBool = false
        var reader: ReadOnlyDatabase?
        try Self.checkRegularFile(url.path, given: path)
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard access == .create else { throw ArchiveError.missingArchive(path: path) }
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            } catch {
                throw ArchiveError.io(systemError("cannot create the archive's folder \(directory.path)"))
            }
            guard Foundation.access(directory.path, W_OK) == 0 else {
                throw ArchiveError.permissionDenied(path: directory.path, doing: "create the archive in")
            }
        } else {
            guard !isDirectory.boolValue else { throw ArchiveError.isFolder(path: path) }
            guard Foundation.access(path, R_OK) == 0 else { throw ArchiveError.permissionDenied(path: path, doing: "read") }
            if access != .read {
                guard Foundation.access(path, W_OK) == 0, Foundation.access(directory.path, W_OK) == 0 else {
                    let what = Foundation.access(path, W_OK) == 0 ? directory.path : path
                    throw ArchiveError.permissionDenied(path: what, doing: "write to")
                }
            }
            // Look before touching: a foreign or newer file must be left exactly as it is.
            let (result, probed) = try Self.probe(databasePath, named: path, migrator: migrator)
            reader = probed
            switch result {
            case .notSQLite:
                throw ArchiveError.notAnArchive(path: path)
            case .foreignDatabase:
                throw ArchiveError.foreignDatabase(path: path)
            case .empty:
                guard access == .create else { throw ArchiveError.emptyArchive(path: path) }
            case .archive(let unknownMigrations, let pendingMigrations):
                guard unknownMigrations.isEmpty else {
                    throw ArchiveError.newerSchema(path: path, unknownMigrations: unknownMigrations)
                }
                if access == .read && !pendingMigrations.isEmpty { throw ArchiveError.needsUpgrade(path: path) }
            }
        }
        if access == .read {
            connection = .reader(try reader ?? ReadOnlyDatabase(path: databasePath, name: path))
            return
        }
        reader?.close()
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: checkpointsDirectory, isDirectory: &isFolder), !isFolder.boolValue {
            throw ArchiveError.io("\(checkpointsDirectory), where this archive keeps its checkpoints, is a file, not a folder")
        }
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(Self.busyTimeout)
        // WAL with synchronous = NORMAL: a commit is durable once the WAL is synced at a checkpoint; a power loss can
        // lose the last transactions but never corrupts the database, and every checkpoint file is fsync'ed before
        // the row naming it commits, so no row ever points at an incomplete file.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Copy the write-ahead log into the database every 64 MB rather than every 4 MB: a study's archiving
            // then waits for a checkpoint (and its fsync) a few times instead of dozens.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 16384")
        }
        for side in [path + "-wal", path + "-shm"]
        where FileManager.default.fileExists(atPath: side) && Foundation.access(side, W_OK) != 0 {
            throw ArchiveError.permissionDenied(
                path: side, doing: "write the archive's side file (left read-only by another user's read; remove it "
                    + "when no lstmlab is using the archive)")
        }
        // Two processes creating (or upgrading) one archive at once: the migrations are applied under the write
        // lock, so the second finds them applied. An archive busy beyond the busy timeout is an error at once (it was
        // waited for already); any other failure to open is tried again a few times.
        var attempt = 0
        while true {
            do {
                var pool = try DatabasePool(path: databasePath, configuration: configuration)
                if try ArchiveSchema.migrate(pool) {
                    // A fresh pool after migrating: no connection keeps statements prepared on the former schema.
                    try pool.close()
                    pool = try DatabasePool(path: databasePath, configuration: configuration)
                }
                connection = .writer(pool)
                break
            } catch {
                attempt += 1
                let described = ArchiveError.describing(error, path: path)
                if case .busy = described { throw described }
                if error is ArchiveError || attempt >= 5 { throw described }
                usleep(UInt32(50_000 * attempt))
            }
        }
    }

    /// The path from the root: relative paths are taken from the working directory, as given (nothing resolved).
    static func absolutePath(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    /// Refuses what cannot be an archive file: a device, pipe or socket (reading one could block forever), or a
    /// symbolic link to nothing. A missing path passes (the caller decides), as does a folder (refused later).
    static func checkRegularFile(_ resolved: String, given path: String) throws {
        var status = stat()
        if lstat(path, &status) == 0, UInt32(status.st_mode) & 0o170000 == 0o120000, stat(path, &status) != 0 {
            throw ArchiveError.io("\(path) is a symbolic link to a missing file")
        }
        guard let type = try? FileManager.default.attributesOfItem(atPath: resolved)[.type] as? FileAttributeType else {
            // Not there, or a folder on the way cannot be searched.
            let folder = URL(fileURLWithPath: resolved).deletingLastPathComponent().path
            if FileManager.default.fileExists(atPath: folder) && Foundation.access(folder, X_OK) != 0 {
                throw ArchiveError.permissionDenied(path: folder, doing: "search the folder")
            }
            return
        }
        guard type == .typeRegular || type == .typeDirectory else {
            throw ArchiveError.io("\(path) is not a regular file (a device, pipe or socket cannot be an archive)")
        }
    }

    /// `archive.sqlite.checkpoints` for `archive.sqlite`: the whole file name, so that two archives in one folder
    /// (`x.sqlite`, `x.db`) never share a checkpoints folder.
    static func checkpointsFolderName(for fileName: String) -> String { fileName + ".checkpoints" }

    /// The checkpoints folder of the archive at `path`: `<name>.checkpoints/` beside the file it names (through a
    /// symbolic link, beside the file the link points to).
    public static func checkpointsDirectory(forArchive path: String) -> String {
        let url = URL(fileURLWithPath: path).resolvingSymlinksInPath()
        return url.deletingLastPathComponent().appendingPathComponent(checkpointsFolderName(for: url.lastPathComponent)).path
    }

    private enum ProbeResult {
        case notSQLite, empty, foreignDatabase
        case archive(unknownMigrations: [String], pendingMigrations: [String])
    }

    /// What an existing file is, read through a read-only view that changes nothing (`ReadOnlyDatabase`), and that
    /// view (nil when the file is not SQLite).
    private static func probe(_ databasePath: String, named path: String, migrator: DatabaseMigrator) throws
        -> (ProbeResult, ReadOnlyDatabase?)
    {
        guard hasSQLiteHeader(databasePath) else { return (.notSQLite, nil) }
        var reader: ReadOnlyDatabase?
        do {
            reader = try ReadOnlyDatabase(path: databasePath, name: path)
            let result: ProbeResult = try reader!.current().read { db in
                let tables = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0
                if tables == 0 { return .empty }
                // A creation interrupted before the first migration committed: GRDB's empty migrations table alone.
                let names = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master")
                if Set(names).isSubset(of: ["grdb_migrations", "sqlite_autoindex_grdb_migrations_1"]),
                   try Int.fetchOne(db, sql: "SELECT count(*) FROM grdb_migrations") == 0 {
                    return .empty
                }
                // Ours: GRDB's migrations table with our first migration applied (another GRDB app's file is not).
                guard try db.tableExists("grdb_migrations"),
                      try migrator.appliedIdentifiers(db).contains(ArchiveSchema.firstMigration) else {
                    return .foreignDatabase
                }
                let applied = try migrator.appliedIdentifiers(db)
                return .archive(unknownMigrations: applied.subtracting(migrator.migrations).sorted(),
                                pendingMigrations: migrator.migrations.filter { !applied.contains($0) })
            }
            return (result, reader)
        } catch let error as ArchiveError {
            reader?.close()
            if case .notAnArchive = error { return (.notSQLite, nil) }
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            reader?.close()
            return (.notSQLite, nil)
        } catch {
            reader?.close()
            throw ArchiveError.describing(error, path: path)
        }
    }

    /// An empty file is a new SQLite database; anything else must start with the SQLite header.
    private static func hasSQLiteHeader(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let header = handle.readData(ofLength: 16)
        return header.isEmpty || header == Data("SQLite format 3\0".utf8)
    }

    /// The checkpoint path of a run: `<name>.checkpoints/<experiment>/<run-id>.h5`.
    public func checkpointPath(experiment: String, runID: Int64) -> String {
        "\(checkpointsDirectory)/\(experiment)/\(runID).h5"
    }

    /// Checkpoint paths are stored relative to the archive's folder (`x.sqlite.checkpoints/<experiment>/<id>.h5`), so an
    /// archive can be moved whole.
    func relativeCheckpointPath(_ path: String) -> String {
        let base = URL(fileURLWithPath: checkpointsDirectory).deletingLastPathComponent().path + "/"
        return path.hasPrefix(base) ? String(path.dropFirst(base.count)) : path
    }

    /// The absolute path of a stored checkpoint path. A path in a `….checkpoints/` folder is found in this archive's
    /// own checkpoints folder whatever the archive is called now (renamed with its folder, or opened through a link);
    /// lstmlab 0.1's `checkpoints/…` paths are beside the archive.
    public func resolveCheckpointPath(_ stored: String) -> String {
        if stored.hasPrefix("/") { return stored }
        let folder = URL(fileURLWithPath: checkpointsDirectory).deletingLastPathComponent()
        if let slash = stored.firstIndex(of: "/"), stored[..<slash].hasSuffix(".checkpoints") {
            return checkpointsDirectory + stored[slash...]
        }
        return folder.appendingPathComponent(stored).path
    }

    /// SQLite's `PRAGMA integrity_check` result lines (`["ok"]` when sound).
    public func integrityCheck() throws -> [String] {
        try database.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    }

    /// Runs an arbitrary write, for tests and repairs.
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        try database.write(body)
    }
}

