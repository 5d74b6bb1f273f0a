import Experiment
import Foundation
import GRDB
import GRDBSQLite
import TimeSeries

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

    // MARK: - Writing

    /// Registers an experiment, or finds it when it exists with the same specification and series values. The
    /// number of repeats may differ (a run's identity does not depend on it): the archive keeps the larger.
    public func registerExperiment(_ spec: ExperimentSpec, series: Series, provenance: Provenance) throws
        -> ExperimentRecord
    {
        let specJSON = try canonicalJSON(spec)
        let seriesJSON = try canonicalJSON(series)
        return try database.write { db in
            if var existing = try ExperimentRecord.filter(Column("name") == spec.name).fetchOne(db) {
                var stored = try existing.spec()
                let storedSeries = try existing.series()
                let repeats = max(stored.repeats, spec.repeats)
                stored.repeats = spec.repeats
                guard stored == spec, storedSeries.values == series.values, storedSeries.labels == series.labels else {
                    throw ArchiveError.experimentMismatch(name: spec.name)
                }
                if repeats != (try existing.spec()).repeats {
                    stored.repeats = repeats
                    existing.specJSON = try canonicalJSON(stored)
                    try existing.update(db)
                }
                return existing
            }
            var record = ExperimentRecord(
                id: nil, name: spec.name, preset: spec.preset, seed: Int64(bitPattern: spec.seed), specJSON: specJSON,
                seriesJSON: seriesJSON, createdAt: timestamp(), productVersion: provenance.productVersion, gitCommit: provenance.gitCommit,
                host: provenance.host, os: provenance.operatingSystem, cpuModel: provenance.cpuModel,
                swiftVersion: provenance.swiftVersion)
            try record.insert(db)
            return record
        }
    }

    /// The identities (configuration label, repeat, seed) of the experiment's finished runs.
    public func finishedRunKeys(experimentID: Int64) throws -> Set<RunKey> {
        try database.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT configuration_label, repeat_index, run_seed FROM run
                WHERE experiment_id = ? AND status = 'finished'
                """, arguments: [experimentID])
            return Set(rows.map { RunKey(label: $0[0], repeatIndex: $0[1], runSeed: UInt64(bitPattern: $0[2] as Int64)) })
        }
    }

    /// Records that a run has started (status `running`, owned by this process), replacing an abandoned earlier
    /// attempt of the same run (its rows, and any checkpoint file it left). Returns nil, recording nothing, when the
    /// run is already finished or is being trained by another live process.
    public func beginRun(_ task: RunTask, experimentID: Int64) throws -> Int64? {
        let configurationJSON = try canonicalJSON(task.configuration)
        return try database.write { db in
            let identity: StatementArguments = [experimentID, task.configuration.label, task.repeatIndex,
                                                Int64(bitPattern: task.runSeed)]
            let earlier = try Row.fetchAll(db, sql: """
                SELECT id, status, owner FROM run WHERE experiment_id = ? AND configuration_label = ?
                AND repeat_index = ? AND run_seed = ?
                """, arguments: identity)
            for row in earlier {
                let status: String = row["status"]
                if status == RunStatus.finished.rawValue { return nil }
                if status == RunStatus.running.rawValue, let owner: String = row["owner"], isLiveOtherProcess(owner) {
                    return nil
                }
            }
            for row in earlier {
                let id: Int64 = row["id"]
                removeCheckpointFiles(experiment: task.experiment, runID: id)
                try db.execute(sql: "DELETE FROM run WHERE id = ?", arguments: [id])
            }
            var record = RunRecord(
                id: nil, experimentID: experimentID, configurationLabel: task.configuration.label,
                repeatIndex: task.repeatIndex, runSeed: Int64(bitPattern: task.runSeed),
                configurationJSON: configurationJSON, status: .running, owner: processOwner, startedAt: timestamp())
            try record.insert(db)
            return record.id!
        }
    }

    /// Removes what an abandoned attempt of a run may have left: its checkpoint and any temporary file of it.
    private func removeCheckpointFiles(experiment: String, runID: Int64) {
        let path = checkpointPath(experiment: experiment, runID: runID)
        try? FileManager.default.removeItem(atPath: path)
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        where Checkpoint.isTemporaryName(name, of: "\(runID).h5") {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
    }

    /// Archives a trained run: writes its checkpoint (temporary name, then rename), then in one transaction its
    /// curve, forecasts, scores, checkpoint path and hash, and the status `finished` (or `failed`, without a
    /// checkpoint). The run's rows and its checkpoint become visible together.
    public func finishRun(id runID: Int64, result: RunResult) throws {
        let ended = timestamp()
        switch result.outcome {
        case .failed(let epoch, let reason):
            try database.write { db in
                guard try isStillRunning(db, runID: runID) else { return }
                try db.execute(sql: """
                    UPDATE run SET status = 'failed', ended_at = ?, failed_epoch = ?, error = ? WHERE id = ?
                    """, arguments: [ended, epoch, reason, runID])
                try insertCurve(db, runID: runID, result: result)
            }
        case .finished:
            let path = checkpointPath(experiment: result.task.experiment, runID: runID)
            let digest = try Checkpoint(runID: runID, result: result).write(to: path)
            let recorded = try database.write { db -> Bool in
                guard try isStillRunning(db, runID: runID) else { return false }
                try insertCurve(db, runID: runID, result: result)
                let forecast = try db.cachedStatement(sql: """
                    INSERT INTO forecast (run_id, step, month, forecast, observed) VALUES (?, ?, ?, ?, ?)
                    """)
                for index in result.testForecasts.indices {
                    try forecast.execute(arguments: [runID, index + 1, result.testLabels[index],
                                                     result.testForecasts[index], result.testObserved[index]])
                }
                try db.execute(sql: """
                    UPDATE run SET status = 'finished', ended_at = ?, final_train_rmse = ?, final_test_rmse = ?,
                    checkpoint_path = ?, checkpoint_sha256 = ? WHERE id = ?
                    """, arguments: [ended, result.finalTrainRMSE, result.finalTestRMSE,
                                     relativeCheckpointPath(path), digest, runID])
                return true
            }
            // Another process took the run over after this one was presumed dead: its file is not ours to keep.
            if !recorded { try? FileManager.default.removeItem(atPath: path) }
        }
    }

    /// Whether the run is still `running` (not taken over and replaced by another process).
    private func isStillRunning(_ db: Database, runID: Int64) throws -> Bool {
        try String.fetchOne(db, sql: "SELECT status FROM run WHERE id = ?", arguments: [runID]) == RunStatus.running.rawValue
    }

    static let curveRowsPerStatement = 250
    static let fullCurveInsert = curveInsert(rows: curveRowsPerStatement)

    /// `INSERT INTO epoch … VALUES (?, ?, ?, ?, ?), …` for `rows` rows.
    static func curveInsert(rows: Int) -> String {
        "INSERT INTO epoch (run_id, epoch, train_rmse, test_rmse, loss) VALUES "
            + Array(repeating: "(?, ?, ?, ?, ?)", count: rows).joined(separator: ", ")
    }

    /// Inserts a run's curve through one prepared multi-row INSERT of `curveRowsPerStatement` epochs, binding the
    /// values directly (GRDB's argument arrays box every value, which costs more than SQLite's insert itself).
    /// Values are bound as doubles, never printed, so they are stored bit for bit.
    private func insertCurve(_ db: Database, runID: Int64, result: RunResult) throws {
        let curve = result.finiteCurve
        var start = 0
        while start < curve.count {
            let chunk = curve[start..<min(start + Self.curveRowsPerStatement, curve.count)]
            let sql = chunk.count == Self.curveRowsPerStatement ? Self.fullCurveInsert : Self.curveInsert(rows: chunk.count)
            let statement = try db.cachedStatement(sql: sql)
            let handle = statement.sqliteStatement
            sqlite3_reset(handle)
            var index: Int32 = 1
            for record in chunk {
                sqlite3_bind_int64(handle, index, runID)
                sqlite3_bind_int64(handle, index + 1, Int64(record.epoch))
                sqlite3_bind_double(handle, index + 2, record.trainRMSE)
                sqlite3_bind_double(handle, index + 3, record.testRMSE)
                sqlite3_bind_double(handle, index + 4, record.loss)
                index += 5
            }
            let code = sqlite3_step(handle)
            sqlite3_reset(handle)
            guard code == SQLITE_DONE else {
                throw ArchiveError.io("cannot insert the curve of run \(runID): \(String(cString: sqlite3_errstr(code)))")
            }
            start += chunk.count
        }
    }

    /// Marks runs still `running` as `interrupted` (e.g. after Ctrl-C).
    public func markInterrupted(runIDs: [Int64]) throws {
        guard !runIDs.isEmpty else { return }
        try database.write { db in
            for id in runIDs {
                try db.execute(sql: "UPDATE run SET status = 'interrupted', ended_at = ? WHERE id = ? AND status = 'running'",
                               arguments: [timestamp(), id])
            }
        }
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

    // MARK: - Reading

    public func experiments() throws -> [ExperimentRecord] {
        try database.read { db in try ExperimentRecord.order(Column("id")).fetchAll(db) }
    }

    public func experiment(named name: String) throws -> ExperimentRecord {
        try database.read { db in
            if let record = try ExperimentRecord.filter(Column("name") == name).fetchOne(db) { return record }
            let known = try String.fetchAll(db, sql: "SELECT name FROM experiment ORDER BY id")
            throw ArchiveError.unknownExperiment(name, known: known)
        }
    }

    public func experiment(id: Int64) throws -> ExperimentRecord {
        try database.read { db in
            guard let record = try ExperimentRecord.fetchOne(db, key: id) else {
                throw ArchiveError.unknownExperiment("#\(id)", known: [])
            }
            return record
        }
    }

    /// Runs, optionally of one experiment and with one status, in id order.
    public func runs(experimentID: Int64? = nil, status: RunStatus? = nil) throws -> [RunRecord] {
        try database.read { db in
            var request = RunRecord.order(Column("id"))
            if let experimentID { request = request.filter(Column("experiment_id") == experimentID) }
            if let status { request = request.filter(Column("status") == status.rawValue) }
            return try request.fetchAll(db)
        }
    }

    public func run(id: Int64) throws -> RunRecord {
        try database.read { db in
            guard let record = try RunRecord.fetchOne(db, key: id) else { throw ArchiveError.unknownRun(String(id)) }
            return record
        }
    }

    /// A run's curve, epoch by epoch.
    public func curve(runID: Int64) throws -> [EpochRow] {
        try database.read { db in
            try EpochRow.filter(Column("run_id") == runID).order(Column("epoch")).fetchAll(db)
        }
    }

    /// The curves of many runs, keyed by run id.
    public func curves(runIDs: [Int64]) throws -> [Int64: [EpochRow]] {
        try database.read { db in
            var curves: [Int64: [EpochRow]] = [:]
            for id in runIDs {
                curves[id] = try EpochRow.filter(Column("run_id") == id).order(Column("epoch")).fetchAll(db)
            }
            return curves
        }
    }

    public func forecasts(runID: Int64) throws -> [ForecastRow] {
        try database.read { db in
            try ForecastRow.filter(Column("run_id") == runID).order(Column("step")).fetchAll(db)
        }
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

/// This process, as recorded in the `owner` of the runs it trains: `host:pid`.
let processOwner = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"

/// Whether `owner` names another process that is still alive. A process on another host cannot be checked and
/// counts as alive; this process's own earlier runs (and unowned rows) count as abandoned.
func isLiveOtherProcess(_ owner: String) -> Bool {
    guard let separator = owner.lastIndex(of: ":"), let pid = Int32(owner[owner.index(after: separator)...]) else {
        return false
    }
    guard owner[..<separator] == ProcessInfo.processInfo.hostName[...] else { return true }
    if pid == ProcessInfo.processInfo.processIdentifier { return false }
    return kill(pid, 0) == 0 || errno == EPERM
}

/// A run's identity within an experiment.
public struct RunKey: Hashable, Sendable {
    public var label: String
    public var repeatIndex: Int
    public var runSeed: UInt64

    public init(label: String, repeatIndex: Int, runSeed: UInt64) {
        self.label = label
        self.repeatIndex = repeatIndex
        self.runSeed = runSeed
    }

    public init(_ task: RunTask) {
        self.init(label: task.configuration.label, repeatIndex: task.repeatIndex, runSeed: task.runSeed)
    }
}

/// JSON with sorted keys, so the same value always gives the same text.
func canonicalJSON<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
