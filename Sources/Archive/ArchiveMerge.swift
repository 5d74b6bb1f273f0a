import Experiment
import Foundation
import GRDB

/// What merging one archive into another did.
public struct MergeReport: Sendable, Equatable {
    /// The experiments the source holds, by name.
    public var experiments: [String]
    /// Runs copied in (finished or failed).
    public var added: Int
    /// Runs the target already held with the same results.
    public var alreadyThere: Int
    /// Unfinished attempts in the target (running in no live process, or interrupted) that a copied run replaced.
    public var replaced: Int
    /// The source's runs that are not finished (running or interrupted): reported, not merged.
    public var unfinished: [RunIdentity]
}

/// A run's results as stored: the curve's bytes exactly, the forecasts, the scores and how it ended.
struct StoredRun: Sendable {
    var record: RunRecord
    var curve: CurveBytes?
    var forecasts: [ForecastRow]

    /// A run's stored results, read within a transaction.
    static func fetch(_ db: Database, _ record: RunRecord) throws -> StoredRun {
        StoredRun(record: record, curve: try CurveBytes.fetch(db, runID: record.id!),
                  forecasts: try ForecastRow.filter(Column("run_id") == record.id!).order(Column("step")).fetchAll(db))
    }
}

extension ArchiveStore {
    /// Every run of the archive with its stored results, by identity, read in one snapshot.
    func storedRuns() throws -> (experiments: [ExperimentRecord], runs: [RunIdentity: StoredRun]) {
        try database.read { db in
            let experiments = try ExperimentRecord.order(Column("id")).fetchAll(db)
            let names = Dictionary(uniqueKeysWithValues: experiments.map { ($0.id!, $0.name) })
            var runs: [RunIdentity: StoredRun] = [:]
            for record in try RunRecord.order(Column("id")).fetchAll(db) {
                runs[RunIdentity(experiment: names[record.experimentID] ?? "", record)] = try StoredRun.fetch(db, record)
            }
            return (experiments, runs)
        }
    }

    /// Merges another archive into this one, in one transaction: its experiments (which must match any of the same
    /// name here) and its finished and failed runs, each with its curve, forecasts, scores and provenance unchanged,
    /// and each finished run's checkpoint, whose SHA-256 is checked against the source's record before it is copied
    /// (rewritten to name its new run id; its weights, moments, snapshots and scaler unchanged) and flushed to the disk
    /// before the transaction commits. A run already here with the same results is left alone, so merging twice adds
    /// nothing; one here with different results is a conflict, and nothing of the source is merged. Runs the source
    /// has not finished are reported, not merged. `checkingCheckpoint` is given each source checkpoint once verified
    /// (its hash, and the run it names), before anything is written, and may refuse it by throwing.
    public func merge(from source: ArchiveStore,
                      checkingCheckpoint: (RunRecord, Checkpoint) throws -> Void = { _, _ in }) throws -> MergeReport {
        guard !isSameFile(source) else { throw ArchiveError.io("\(source.path) is the archive it would be merged into") }
        let (sourceExperiments, sourceRuns) = try source.storedRuns()
        var report = MergeReport(experiments: sourceExperiments.map(\.name), added: 0, alreadyThere: 0, replaced: 0, unfinished: [])
        let toMerge = sourceRuns.filter { $0.value.record.status == .finished || $0.value.record.status == .failed }
            .sorted { $0.key < $1.key }
        let merged = Set(toMerge.map(\.key))
        report.unfinished = sourceRuns.keys.filter { !merged.contains($0) }.sorted()
        // Each source checkpoint, checked against the source's record (its SHA-256, and the run, seed, experiment and
        // configuration it names) before anything is written here.
        var checkpoints: [RunIdentity: Checkpoint] = [:]
        for (identity, run) in toMerge where run.record.status == .finished {
            let checkpoint = try source.loadVerifiedCheckpoint(of: run.record)
            try checkingCheckpoint(run.record, checkpoint)
            checkpoints[identity] = checkpoint
        }
        var written: [(path: String, digest: String, checkpoint: Checkpoint)] = []
        var replacedIDs: [(experiment: String, id: Int64)] = []
        do {
            try database.write { db in
                var experimentIDs: [String: Int64] = [:]
                for experiment in sourceExperiments {
                    guard experiment.seedDerivation == RunSeedDerivation.current else {
                        throw ArchiveError.olderSeedDerivation(name: experiment.name, productVersion: experiment.productVersion)
                    }
                    do {
                        experimentIDs[experiment.name] = try Self.findOrRegisterExperiment(
                            db, experiment, places: (path, source.path)).id!
                    } catch ArchiveError.experimentMismatch(let name, let difference) {
                        throw ArchiveError.io("experiment \(name) of \(source.path) differs from the one in \(path): \(difference)")
                    }
                }
                try removeCheckpointsOfRolledBackRuns(db, experiments: sourceExperiments.map(\.name))
                for (identity, run) in toMerge {
                    let experimentID = experimentIDs[identity.experiment]!
                    switch try mergeDecision(db, identity: identity, run: run, sourceCheckpoint: checkpoints[identity],
                                             experimentID: experimentID, source: source) {
                    case .alreadyThere:
                        report.alreadyThere += 1
                        continue
                    case .replacing(let ids):
                        for id in ids { try db.execute(sql: "DELETE FROM run WHERE id = ?", arguments: [id]) }
                        replacedIDs += ids.map { (identity.experiment, $0) }
                        report.replaced += ids.count
                    case .new:
                        break
                    }
                    var record = run.record
                    record.id = nil
                    record.experimentID = experimentID
                    record.owner = nil
                    let finished = record.status == .finished
                    if finished {
                        // Inserted as running first: its id names the checkpoint, which the finished row must name.
                        record.status = .running
                        record.checkpointPath = nil
                        record.checkpointSHA256 = nil
                    }
                    try record.insert(db)
                    let runID = record.id!
                    try run.curve?.insert(db, runID: runID)
                    for var forecast in run.forecasts {
                        forecast.runID = runID
                        try forecast.insert(db)
                    }
                    if finished, var checkpoint = checkpoints[identity] {
                        checkpoint.runID = runID
                        let destination = checkpointPath(experiment: identity.experiment, runID: runID)
                        let digest = try checkpoint.write(to: destination, durable: false)
                        written.append((destination, digest, checkpoint))
                        try db.execute(sql: """
                            UPDATE run SET status = 'finished', checkpoint_path = ?, checkpoint_sha256 = ? WHERE id = ?
                            """, arguments: [relativeCheckpointPath(destination), digest, runID])
                    }
                    report.added += 1
                }
                try flushToDisk(written.map(\.path))
                // The copies as they are on the disk: their recorded SHA-256, and the source's contents under the new ids.
                for copy in written {
                    let read = try Checkpoint.read(from: copy.path)
                    guard try sha256Hex(ofFileAt: copy.path) == copy.digest, read.runID == copy.checkpoint.runID,
                          read.firstDifference(from: copy.checkpoint) == nil else {
                        throw ArchiveError.damagedCheckpoint(path: copy.path, reason: "the copy does not read back as written")
                    }
                }
            }
        } catch {
            for copy in written { try? FileManager.default.removeItem(atPath: copy.path) }
            throw error
        }
        for (experiment, id) in replacedIDs { removeCheckpointFiles(experiment: experiment, runID: id) }
        return report
    }

    /// Removes checkpoint files named after run ids no row has ever had (above the highest id given out): left by a
    /// merge killed before its transaction committed. Within a write transaction, so no other process is inserting.
    private func removeCheckpointsOfRolledBackRuns(_ db: Database, experiments: [String]) throws {
        let highest = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'run'") ?? 0
        for experiment in experiments {
            let folder = "\(checkpointsDirectory)/\(experiment)"
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasSuffix(".h5") {
                if let id = Int64(name.dropLast(3)), id > highest {
                    try? FileManager.default.removeItem(atPath: "\(folder)/\(name)")
                }
            }
        }
    }

    /// Whether another store opened the same database file (through any path or link).
    func isSameFile(_ other: ArchiveStore) -> Bool {
        var a = stat(), b = stat()
        guard stat(path, &a) == 0, stat(other.path, &b) == 0 else { return false }
        return a.st_dev == b.st_dev && a.st_ino == b.st_ino
    }
}
