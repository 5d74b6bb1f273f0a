import Foundation
import TimeSeries

/// What a finished run's checkpoint file is, compared with what the archive recorded of it.
public enum CheckpointState: Sendable, Equatable, CustomStringConvertible {
    /// The file is there and its SHA-256 is the recorded one.
    case matches
    case missing
    /// The file is there but its bytes differ from the recorded SHA-256 (altered or damaged).
    case mismatch
    /// The file is there but cannot be read (e.g. permissions).
    case unreadable(reason: String)
    /// The file matches its SHA-256 but is not the run's: it names another run, seed or configuration, or cannot be
    /// parsed (`verifiedCheckpointState`).
    case notTheRuns(reason: String)

    public var description: String {
        switch self {
        case .matches: "SHA-256 matches"
        case .missing: "MISSING"
        case .mismatch: "SHA-256 MISMATCH"
        case .unreadable(let reason): "UNREADABLE (\(reason))"
        case .notTheRuns(let reason): "NOT THE RUN'S (\(reason))"
        }
    }
}

/// The canonical absolute path, every symbolic link resolved; nil when it does not exist.
public func canonicalPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
}

extension ArchiveStore {
    /// The absolute path of a run's checkpoint and its state; nil when the run has none (not finished). A checkpoint
    /// is only read inside the archive's checkpoints folder (or lstmlab 0.1's `checkpoints/` beside the archive),
    /// whatever path the archive names and wherever symbolic links point: an archive cannot make lstmlab open
    /// another file.
    public func checkpointState(of run: RunRecord) -> (path: String, state: CheckpointState)? {
        guard let stored = run.checkpointPath, let expected = run.checkpointSHA256 else { return nil }
        let path = URL(fileURLWithPath: resolveCheckpointPath(stored)).standardizedFileURL.path
        let archiveFolder = URL(fileURLWithPath: checkpointsDirectory).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: path) else {
            // A folder on the way that cannot be searched hides the file: that is not the file missing.
            var folder = URL(fileURLWithPath: path).deletingLastPathComponent()
            while folder.path.count > archiveFolder.count && folder.path.hasPrefix(archiveFolder + "/") {
                if FileManager.default.fileExists(atPath: folder.path) && Foundation.access(folder.path, X_OK) != 0 {
                    return (path, .unreadable(reason: "permission denied on the folder \(folder.path)"))
                }
                folder = folder.deletingLastPathComponent()
            }
            return (path, .missing)
        }
        guard let real = canonicalPath(path), holdsCheckpoint(atCanonicalPath: real) else {
            return (path, .unreadable(reason: "it is not inside the archive's checkpoints folder"))
        }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: real, isDirectory: &isFolder), isFolder.boolValue {
            return (path, .unreadable(reason: "it is a folder"))
        }
        guard FileManager.default.isReadableFile(atPath: path) else { return (path, .unreadable(reason: "permission denied")) }
        do {
            return (path, try sha256Hex(ofFileAt: path) == expected ? .matches : .mismatch)
        } catch {
            return (path, .unreadable(reason: "\(error)"))
        }
    }

    /// `checkpointState`, and for a file that matches its SHA-256, whether it is the run's own
    /// (`loadVerifiedCheckpoint`): what `show` and `serve` report.
    public func verifiedCheckpointState(of run: RunRecord) -> (path: String, state: CheckpointState)? {
        guard let (path, state) = checkpointState(of: run) else { return nil }
        guard state == .matches else { return (path, state) }
        do {
            _ = try loadVerifiedCheckpoint(of: run)
            return (path, .matches)
        } catch ArchiveError.checkpointOfAnotherRun(_, _, let mismatch) {
            return (path, .notTheRuns(reason: mismatch))
        } catch {
            return (path, .notTheRuns(reason: foldedLines(String(describing: error))))
        }
    }

    /// Whether a canonical path (`canonicalPath`) lies inside the archive's own checkpoints folder or, with
    /// `legacyFolderToo`, lstmlab 0.1's `checkpoints/` beside the archive: the only places a checkpoint is read from.
    public func holdsCheckpoint(atCanonicalPath path: String, legacyFolderToo: Bool = true) -> Bool {
        let archiveFolder = URL(fileURLWithPath: checkpointsDirectory).deletingLastPathComponent().path
        let folders = [checkpointsDirectory] + (legacyFolderToo ? [archiveFolder + "/checkpoints"] : [])
        return folders.compactMap(canonicalPath).contains { path.hasPrefix($0 + "/") }
    }

    /// Reads a finished run's checkpoint after checking that its SHA-256 matches the archive, and that it names the
    /// run's id, seed, experiment and configuration (`Checkpoint.identityMismatch`): a checkpoint of another run is
    /// refused, whatever its hash.
    public func loadVerifiedCheckpoint(of run: RunRecord) throws -> Checkpoint {
        guard run.status == .finished, let (path, state) = checkpointState(of: run) else {
            throw ArchiveError.runNotFinished(runID: run.id!, status: run.status.rawValue)
        }
        switch state {
        case .matches:
            let checkpoint = try Checkpoint.read(from: path)
            let experiment = try? self.experiment(id: run.experimentID).name
            if let mismatch = checkpoint.identityMismatch(with: run, experiment: experiment) {
                throw ArchiveError.checkpointOfAnotherRun(runID: run.id!, path: path, mismatch: mismatch)
            }
            return checkpoint
        case .missing: throw ArchiveError.missingCheckpoint(runID: run.id!, path: path)
        case .mismatch: throw ArchiveError.checkpointHashMismatch(path: path)
        case .unreadable(let reason), .notTheRuns(let reason): throw ArchiveError.unreadableCheckpoint(path: path, reason: reason)
        }
    }
}
