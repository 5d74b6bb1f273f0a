import Foundation
import GRDB

/// The research archive: an SQLite database (WAL, foreign keys, a busy timeout so that several processes can write
/// at once) and a `checkpoints/` folder beside it with one HDF5 file per run.
public final class ArchiveStore: Sendable {
    public let path: String
    /// `checkpoints/` beside the database file.
    public let checkpointsDirectory: String
    let database: DatabasePool

    /// The default archive, relative to the working directory.
    public static let defaultPath = "runs/archive.sqlite"

    /// Opens an archive.
    /// - Parameter create: create the file (and its folder) when it is missing; otherwise a missing file is an error.
    public init(path: String, create: Bool) throws {
        self.path = path
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        checkpointsDirectory = directory.appendingPathComponent("checkpoints").path
        let exists = FileManager.default.fileExists(atPath: path)
        let migrator = ArchiveSchema.migrator
        if !exists {
            guard create else { throw ArchiveError.missingArchive(path: path) }
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } else {
            // Look before touching: a foreign or newer file must be left exactly as it is.
            switch try Self.probe(path, migrator: migrator) {
            case .notSQLite, .foreignDatabase:
                throw ArchiveError.notAnArchive(path: path)
            case .empty:
                guard create else { throw ArchiveError.notAnArchive(path: path) }
            case .archive(let unknownMigrations):
                guard unknownMigrations.isEmpty else {
                    throw ArchiveError.newerSchema(path: path, unknownMigrations: unknownMigrations)
                }
            }
        }
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(60)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            database = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw ArchiveError.notAnArchive(path: path)
        }
        try migrator.migrate(database)
    }

    private enum ProbeResult { case notSQLite, empty, foreignDatabase, archive(unknownMigrations: [String]) }

    /// What an existing file is, read through a read-only connection that changes nothing.
    private static func probe(_ path: String, migrator: DatabaseMigrator) throws -> ProbeResult {
        guard hasSQLiteHeader(path) else { return .notSQLite }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(60)
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            return try queue.read { db in
                let tables = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0
                if tables == 0 { return .empty }
                guard try db.tableExists("grdb_migrations"), try db.tableExists("run") else { return .foreignDatabase }
                let unknown = try migrator.appliedIdentifiers(db).subtracting(migrator.migrations)
                return .archive(unknownMigrations: unknown.sorted())
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            return .notSQLite
        } catch {
            // Busy or locked by another writer for longer than the timeout, or unreadable: not a verdict on the file.
            throw ArchiveError.io("cannot read the archive \(path): \(error)")
        }
    }

    /// An empty file is a new SQLite database; anything else must start with the SQLite header.
    private static func hasSQLiteHeader(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let header = handle.readData(ofLength: 16)
        return header.isEmpty || header == Data("SQLite format 3\0".utf8)
    }

    /// The checkpoint path of a run: `checkpoints/<experiment>/<run-id>.h5`.
    public func checkpointPath(experiment: String, runID: Int64) -> String {
        "\(checkpointsDirectory)/\(experiment)/\(runID).h5"
    }

    /// Checkpoint paths are stored relative to the archive's folder, so an archive can be moved whole.
    func relativeCheckpointPath(_ path: String) -> String {
        let base = URL(fileURLWithPath: self.path).deletingLastPathComponent().path + "/"
        return path.hasPrefix(base) ? String(path.dropFirst(base.count)) : path
    }

    /// The absolute path of a stored checkpoint path.
    public func resolveCheckpointPath(_ stored: String) -> String {
        stored.hasPrefix("/") ? stored
            : URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(stored).path
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

