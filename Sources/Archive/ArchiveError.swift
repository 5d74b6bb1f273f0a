/// Errors about the archive a user can meet; each message is one line.
public enum ArchiveError: Error, Equatable, CustomStringConvertible {
    case missingArchive(path: String)
    case notAnArchive(path: String)
    case newerSchema(path: String, unknownMigrations: [String])
    case unknownRun(String)
    case unknownExperiment(String, known: [String])
    case experimentMismatch(name: String)
    case olderSeedDerivation(name: String, productVersion: String)
    case damagedCheckpoint(path: String, reason: String)
    case checkpointHashMismatch(path: String)
    case missingCheckpoint(runID: Int64, path: String)
    case noSnapshot(epoch: Int, available: [Int])
    case runNotFinished(runID: Int64, status: String)
    case io(String)

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
        case .experimentMismatch(let name):
            return "experiment '\(name)' already exists with different settings; choose another --name"
        case .olderSeedDerivation(let name, let version):
            return "experiment '\(name)' was archived by lstmlab \(version), which derived run seeds differently; "
                + "its runs still reproduce, but to extend it run it under another --name or into another archive"
        case .damagedCheckpoint(let path, let reason):
            return "checkpoint \(path) is damaged: \(reason)"
        case .checkpointHashMismatch(let path):
            return "checkpoint \(path) does not match the SHA-256 recorded in the archive (altered or damaged)"
        case .missingCheckpoint(let runID, let path):
            return "the checkpoint of run \(runID) is missing: \(path)"
        case .noSnapshot(let epoch, let available):
            return "no weight snapshot at epoch \(epoch); the snapshots are at epochs \(available.map(String.init).joined(separator: ", "))"
        case .runNotFinished(let runID, let status):
            return "run \(runID) is \(status), not finished"
        case .io(let message):
            return message
        }
    }
}
