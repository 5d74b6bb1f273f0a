import Foundation
import GRDB

/// Errors about the archive a user can meet; each message is one line.
public enum ArchiveError: Error, Equatable, CustomStringConvertible {
    case missingArchive(path: String)
    case notAnArchive(path: String)
    case newerSchema(path: String, unknownMigrations: [String])
    case unknownRun(String)
    case unknownExperiment(String, known: [String])
    case experimentMismatch(name: String, difference: String)
    case olderSeedDerivation(name: String, productVersion: String)
    case damagedCheckpoint(path: String, reason: String)
    case checkpointHashMismatch(path: String)
    /// A checkpoint that names another run, seed, experiment or configuration than the row that names it.
    case checkpointOfAnotherRun(runID: Int64, path: String, mismatch: String)
    case missingCheckpoint(runID: Int64, path: String)
    case noSnapshot(epoch: Int, available: [Int])
    case runNotFinished(runID: Int64, status: String)
    case io(String)
    case isFolder(path: String)
    case permissionDenied(path: String, doing: String)
    case foreignDatabase(path: String)
    case needsUpgrade(path: String)
    case emptyArchive(path: String)
    case busy(path: String, seconds: Int)
    case diskFull(path: String)
    case readOnly(path: String)
    /// A checkpoint the archive names but cannot read: a folder, no permission, or outside the archive's folders.
    case unreadableCheckpoint(path: String, reason: String)
    /// An archive to merge whose records contradict themselves.
    case inconsistentArchive(path: String, firstProblem: String, count: Int)
    /// The same run with different results in two archives being merged.
    case mergeConflict(run: String, source: String, target: String, difference: String)

    public var description: String {
        switch self {
        case .missingArchive(let path):
            return "no archive at \(path) (run an experiment first, or pass --archive PATH)"
        case .notAnArchive(let path):
            return "\(path) is not an lstmlab archive (not an SQLite database)"
        case .newerSchema(let path, let unknown):
            return "\(path) was written by a newer lstmlab (unknown schema migrations: \(unknown.joined(separator: ", "))); upgrade lstmlab"
        case .unknownRun(let id):
            return "no run with id \(id) in the archive (list them with `lstmlab runs`)"
        case .unknownExperiment(let name, let known):
            let list = known.isEmpty ? "the archive has none" : "the experiments are \(known.joined(separator: ", "))"
            return "no experiment named '\(name)'; \(list)"
        case .experimentMismatch(let name, let difference):
            return "experiment '\(name)' already exists with different settings (\(difference)); train into another --archive, or with `run` under another --name"
        case .olderSeedDerivation(let name, let version):
            return "experiment '\(name)' was archived by lstmlab \(version), which derived run seeds differently; "
                + "its runs still reproduce, but to extend it run it under another --name or into another archive"
        case .damagedCheckpoint(let path, let reason):
            return "checkpoint \(path) is damaged: \(reason)"
        case .checkpointHashMismatch(let path):
            return "checkpoint \(path) does not match the SHA-256 recorded in the archive (altered or damaged)"
        case .checkpointOfAnotherRun(let runID, let path, let mismatch):
            return "the checkpoint \(path) of run \(runID) is not that run's: \(mismatch) (refused; `lstmlab check` tells more)"
        case .missingCheckpoint(let runID, let path):
            return "the checkpoint of run \(runID) is missing: \(path)"
        case .noSnapshot(let epoch, let available):
            return "no weight snapshot at epoch \(epoch); the snapshots are at epochs \(available.map(String.init).joined(separator: ", "))"
        case .runNotFinished(let runID, let status):
            return "run \(runID) is \(status), not finished"
        case .io(let message):
            return message
        case .isFolder(let path):
            return "\(path) is a folder, not an archive file (give the .sqlite file, e.g. \(path)/archive.sqlite)"
        case .permissionDenied(let path, let doing):
            return "cannot \(doing) \(path): permission denied"
        case .foreignDatabase(let path):
            return "\(path) is an SQLite database but not an lstmlab archive; it was left unchanged"
        case .emptyArchive(let path):
            return "\(path) holds no experiment yet (an empty archive); run an experiment into it first"
        case .needsUpgrade(let path):
            return "\(path) was written by an older lstmlab; upgrade it once with `lstmlab upgrade --archive \(path)` "
                + "(read commands never write)"
        case .busy(let path, let seconds):
            return "the archive \(path) is busy: another process has held its write lock for more than \(seconds) s "
                + "(see `lstmlab runs --status running`)"
        case .diskFull(let path):
            return "cannot write the archive \(path): the disk is full (SQLITE_FULL)"
        case .readOnly(let path):
            return "cannot write the archive \(path): the file or its folder is read-only"
        case .unreadableCheckpoint(let path, let reason):
            return "cannot read the checkpoint \(path): \(reason)"
        case .inconsistentArchive(let path, let first, let count):
            return "\(path) fails the record checks (\(first)\(count > 1 ? "; and \(count - 1) more" : "")); nothing of it was merged "
                + "(`lstmlab check --archive \(path)` lists every problem)"
        case .mergeConflict(let run, let source, let target, let difference):
            return "conflict: \(run) is \(source) and \(target) with different results (\(difference)); nothing of that archive was merged"
        }
    }
}

extension ArchiveError {
    /// An error from SQLite (through GRDB) or the file system, as the archive error that names its real cause.
    public static func describing(_ error: any Error, path: String) -> ArchiveError {
        if let error = error as? ArchiveError { return error }
        guard let database = error as? DatabaseError else { return .io("\(path): \(error)") }
        switch database.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: return .busy(path: path, seconds: Int(ArchiveStore.busyTimeout))
        case .SQLITE_FULL: return .diskFull(path: path)
        case .SQLITE_READONLY: return .readOnly(path: path)
        case .SQLITE_NOTADB: return .notAnArchive(path: path)
        case .SQLITE_PERM, .SQLITE_AUTH: return .permissionDenied(path: path, doing: "use")
        case .SQLITE_CORRUPT: return .io("the archive \(path) is damaged (SQLite reports corruption); `lstmlab check` tells more")
        case .SQLITE_CANTOPEN: return .io("cannot open the archive \(path) (or its -wal/-shm files): \(database.message ?? "unknown reason")")
        default:
            return .io("the archive \(path): SQLite error \(database.extendedResultCode.rawValue): \(database.message ?? "unknown")")
        }
    }
}

/// Runs `body`, turning an SQLite error into the `ArchiveError` that names its cause and the archive at `path`.
public func mappingStorageErrors<T>(path: String, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as DatabaseError {
        throw ArchiveError.describing(error, path: path)
    }
}
