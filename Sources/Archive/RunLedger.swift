import Experiment
import Foundation
import GRDB
import NeuralNetwork
import TimeSeries

/// The run ledger: registers experiments, and begins, finishes, fails and interrupts runs, each owned by the
/// process that trains it.
extension ArchiveStore {
    /// Registers an experiment, or finds it when it exists with the same specification and series values. The
    /// number of repeats may differ (a run's identity does not depend on it): the archive keeps the larger.
    public func registerExperiment(_ spec: ExperimentSpec, series: Series, provenance: Provenance,
                                   file: String? = nil) throws -> ExperimentRecord
    {
        let record = ExperimentRecord(
            id: nil, name: spec.name, preset: spec.preset, seed: Int64(bitPattern: spec.seed), specJSON: try canonicalJSON(spec),
            seriesJSON: try canonicalJSON(series), createdAt: timestamp(), productVersion: provenance.productVersion,
            gitCommit: provenance.gitCommit, host: provenance.host, os: provenance.operatingSystem,
            cpuModel: provenance.cpuModel, swiftVersion: provenance.swiftVersion, seedDerivation: RunSeedDerivation.current,
            experimentFile: file)
        return try database.write { db in try Self.findOrRegisterExperiment(db, record) }
    }

    /// Within a write transaction: the experiment of this name when it has the same specification (but for the
    /// number of repeats: the larger is kept) and series, otherwise a one-line error; `record`, inserted, when there
    /// is none of this name. `places` names the two sides in the error (see `describeDifference`).
    static func findOrRegisterExperiment(_ db: Database, _ record: ExperimentRecord,
                                         places: (archived: String, requested: String)? = nil) throws -> ExperimentRecord {
        let spec = try record.spec()
        let series = try record.series()
        if var existing = try ExperimentRecord.filter(Column("name") == spec.name).fetchOne(db) {
            var stored = try checkMatch(existing, spec: spec, series: series, seedDerivation: record.seedDerivation,
                                        places: places)
            let repeats = max(stored.repeats, spec.repeats)
            let recordsFile = existing.experimentFile == nil && record.experimentFile != nil
            if repeats != stored.repeats || recordsFile {
                stored.repeats = repeats
                existing.specJSON = try canonicalJSON(stored)
                if recordsFile { existing.experimentFile = record.experimentFile }
                try existing.update(db)
            }
            return existing
        }
        var inserted = record
        inserted.id = nil
        try inserted.insert(db)
        return inserted
    }

    /// Throws what registering `spec` on `series` would throw here (an experiment of that name with other settings
    /// or series, or seeded by lstmlab 0.1), without writing anything: e.g. before jobs that will merge into it.
    public func checkCanRegister(_ spec: ExperimentSpec, series: Series) throws {
        guard let existing = try database.read({ db in try ExperimentRecord.filter(Column("name") == spec.name).fetchOne(db) })
        else { return }
        _ = try Self.checkMatch(existing, spec: spec, series: series, seedDerivation: RunSeedDerivation.current, places: nil)
    }

    /// The archived specification of `existing` when `spec` (but for its repeats) and `series` match it, otherwise the
    /// one-line error registering them would give.
    private static func checkMatch(_ existing: ExperimentRecord, spec: ExperimentSpec, series: Series, seedDerivation: Int,
                                   places: (archived: String, requested: String)?) throws -> ExperimentSpec {
        guard existing.seedDerivation == seedDerivation else {
            throw ArchiveError.olderSeedDerivation(name: spec.name, productVersion: existing.productVersion)
        }
        var stored = try existing.spec()
        let storedSeries = try existing.series()
        let repeats = stored.repeats
        stored.repeats = spec.repeats
        guard stored == spec, storedSeries.values == series.values, storedSeries.labels == series.labels else {
            throw ArchiveError.experimentMismatch(
                name: spec.name, difference: describeDifference(archived: stored, archivedSeries: storedSeries,
                                                                requested: spec, requestedSeries: series, places: places))
        }
        stored.repeats = repeats
        return stored
    }

    /// The identities of the experiment's finished runs (and failed ones too, with `includingFailed`: the runs that
    /// have ended).
    public func finishedRunIdentities(experimentID: Int64, includingFailed: Bool = false) throws -> Set<RunIdentity> {
        try database.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT experiment.name, run.configuration_label, run.repeat_index, run.run_seed
                FROM run JOIN experiment ON experiment.id = run.experiment_id
                WHERE run.experiment_id = ? AND (run.status = 'finished' OR (? AND run.status = 'failed'))
                """, arguments: [experimentID, includingFailed])
            return Set(rows.map {
                RunIdentity(experiment: $0[0], label: $0[1], repeatIndex: $0[2], runSeed: UInt64(bitPattern: $0[3] as Int64))
            })
        }
    }

    /// Records that a run has started (status `running`, owned by this process), replacing an abandoned earlier
    /// attempt of the same run (its rows, and any checkpoint file it left). Returns nil, recording nothing, when the
    /// run is already finished or is being trained by another live process.
    public func beginRun(_ task: RunTask, experimentID: Int64) throws -> Int64? {
        try beginRuns([task], experimentID: experimentID)[0]
    }

    /// `beginRun` for several runs in one transaction; one id (or nil) per task, in order. With `takingOver`, a run
    /// left `running` by a process on another host (which cannot be checked from here) is redone too: for a retried
    /// task whose first attempt died with its machine.
    public func beginRuns(_ tasks: [RunTask], experimentID: Int64, takingOver: Bool = false) throws -> [Int64?] {
        let configurations = try tasks.map { try canonicalJSON($0.configuration) }
        return try database.write { db in
            try zip(tasks, configurations).map { task, configurationJSON in
                try beginRun(db, task, configurationJSON: configurationJSON, experimentID: experimentID, takingOver: takingOver)
            }
        }
    }

    private func beginRun(_ db: Database, _ task: RunTask, configurationJSON: String, experimentID: Int64,
                          takingOver: Bool) throws -> Int64? {
        let provenance = Provenance.current()
        let identity: StatementArguments = [experimentID, task.configuration.label, task.repeatIndex,
                                            Int64(bitPattern: task.runSeed)]
        let earlier = try Row.fetchAll(db, sql: """
            SELECT id, status, owner FROM run WHERE experiment_id = ? AND configuration_label = ?
            AND repeat_index = ? AND run_seed = ?
            """, arguments: identity)
        for row in earlier {
            let status: String = row["status"]
            if status == RunStatus.finished.rawValue { return nil }
            if status == RunStatus.running.rawValue, let owner: String = row["owner"],
               isLiveOtherProcess(owner, otherHostsCountAlive: !takingOver) {
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
            configurationJSON: configurationJSON, status: .running, owner: processOwner, startedAt: timestamp(),
            numericsVersion: numericsVersion, host: provenance.host, gitCommit: provenance.gitCommit,
            productVersion: provenance.productVersion, engine: "unknown")
        try record.insert(db)
        return record.id!
    }

    /// Removes what an abandoned attempt of a run may have left: its checkpoint and any temporary file of it.
    func removeCheckpointFiles(experiment: String, runID: Int64) {
        let path = checkpointPath(experiment: experiment, runID: runID)
        try? FileManager.default.removeItem(atPath: path)
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        where Checkpoint.isTemporaryName(name, of: "\(runID).h5") {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
    }

    /// Archives a trained run: writes its checkpoint (temporary name, flushed to the disk, then renamed), then in one
    /// transaction its curve, forecasts, scores, checkpoint path and hash, and the status `finished` (or `failed`,
    /// without a checkpoint). The run's rows and its checkpoint become visible together.
    public func finishRun(id runID: Int64, result: RunResult) throws {
        try finishRuns([(runID, result)])
    }

    /// `finishRun` for several runs: every checkpoint written and flushed first, then all their rows in one
    /// transaction (one commit instead of one per run).
    public func finishRuns(_ runs: [(id: Int64, result: RunResult)]) throws {
        try commitRuns(runs, checkpoints: try writeCheckpoints(runs))
    }

    /// The written checkpoint of a finished run: its path and SHA-256.
    public struct WrittenCheckpoint: Sendable {
        public var path: String
        public var digest: String
    }

    /// Writes the checkpoint of each finished run, by run id, not yet flushed to the disk: the first half of
    /// `finishRuns`, which any thread may do while another commits.
    public func writeCheckpoints(_ runs: [(id: Int64, result: RunResult)]) throws -> [Int64: WrittenCheckpoint] {
        var written: [Int64: WrittenCheckpoint] = [:]
        for (runID, result) in runs where result.outcome == .finished {
            let path = checkpointPath(experiment: result.task.experiment, runID: runID)
            let digest = try Checkpoint(runID: runID, result: result).write(to: path, durable: false)
            written[runID] = WrittenCheckpoint(path: path, digest: digest)
        }
        return written
    }

    /// Flushes the runs' checkpoints to the disk, then commits their rows in one transaction: the second half of
    /// `finishRuns`. No row names a checkpoint before the file and its folder are on the disk. A run another process
    /// took over meanwhile is left alone and its file removed.
    public func commitRuns(_ runs: [(id: Int64, result: RunResult)], checkpoints: [Int64: WrittenCheckpoint]) throws {
        try flushToDisk(runs.compactMap { checkpoints[$0.id]?.path })
        let ended = timestamp()
        let abandoned = try database.write { db -> [Int64] in
            var abandoned: [Int64] = []
            for (runID, result) in runs {
                guard try isStillRunning(db, runID: runID) else {
                    abandoned.append(runID)
                    continue
                }
                try insertCurve(db, runID: runID, result: result)
                switch result.outcome {
                case .failed(let epoch, let reason):
                    try db.execute(sql: """
                        UPDATE run SET status = 'failed', ended_at = ?, failed_epoch = ?, error = ?, engine = ? WHERE id = ?
                        """, arguments: [ended, epoch, reason, Provenance.engine(laneWidth: result.laneWidth), runID])
                case .finished:
                    guard let checkpoint = checkpoints[runID] else {
                        throw ArchiveError.io("run \(runID) finished but its checkpoint was not written")
                    }
                    try insertForecasts(db, runID: runID, result: result)
                    try db.execute(sql: """
                        UPDATE run SET status = 'finished', ended_at = ?, final_train_rmse = ?, final_test_rmse = ?,
                        checkpoint_path = ?, checkpoint_sha256 = ?, engine = ? WHERE id = ?
                        """, arguments: [ended, result.finalTrainRMSE, result.finalTestRMSE,
                                         relativeCheckpointPath(checkpoint.path), checkpoint.digest,
                                         Provenance.engine(laneWidth: result.laneWidth), runID])
                }
            }
            return abandoned
        }
        for runID in abandoned {
            if let checkpoint = checkpoints[runID] { try? FileManager.default.removeItem(atPath: checkpoint.path) }
        }
    }

    /// Whether the run is still `running` (not taken over and replaced by another process).
    private func isStillRunning(_ db: Database, runID: Int64) throws -> Bool {
        try String.fetchOne(db, sql: "SELECT status FROM run WHERE id = ?", arguments: [runID]) == RunStatus.running.rawValue
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

}

/// What differs between an archived experiment and the one asked for, in a few words: `epochs 1000 there, 50 here`
/// (`places` names the two sides, e.g. two archives' paths, instead of "there" and "here").
func describeDifference(archived: ExperimentSpec, archivedSeries: Series, requested: ExperimentSpec,
                        requestedSeries: Series, places: (archived: String, requested: String)? = nil) -> String {
    let (there, here) = places.map { ("in \($0.archived)", "in \($0.requested)") } ?? ("there", "here")
    let pairs: [(String, String, String)] = settingPairs(archived.training, requested.training) + [
        ("seed", "\(archived.seed)", "\(requested.seed)"), ("preset", archived.preset, requested.preset),
        ("configurations", archived.configurations.map(\.label).joined(separator: ", "),
         requested.configurations.map(\.label).joined(separator: ", ")),
    ]
    let differing = pairs.filter { $0.1 != $0.2 }.prefix(3).map { "\($0.0) \($0.1) \(there), \($0.2) \(here)" }
    if !differing.isEmpty { return differing.joined(separator: "; ") }
    return archivedSeries.values == requestedSeries.values && archivedSeries.labels == requestedSeries.labels
        ? "settings differ" : "the series differs (\(archivedSeries.name) \(there), \(requestedSeries.name) \(here))"
}

/// Each training setting's name and its value in `a` and in `b`, in the order messages name them.
func settingPairs(_ a: TrainingSettings, _ b: TrainingSettings) -> [(String, String, String)] {
    [("profile", a.profile.name, b.profile.name), ("units", "\(a.units)", "\(b.units)"),
     ("batch", "\(a.batchSize)", "\(b.batchSize)"), ("lag", "\(a.lag)", "\(b.lag)"),
     ("test size", "\(a.testSize)", "\(b.testSize)"), ("epochs", "\(a.epochs)", "\(b.epochs)"),
     ("learning rate", "\(a.learningRate)", "\(b.learningRate)")]
}
