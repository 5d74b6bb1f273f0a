import Experiment
import Foundation
import GRDB
import TimeSeries

/// The run ledger: registers experiments, and begins, finishes, fails and interrupts runs, each owned by the
/// process that trains it.
extension ArchiveStore {
    /// Registers an experiment, or finds it when it exists with the same specification and series values. The
    /// number of repeats may differ (a run's identity does not depend on it): the archive keeps the larger.
    public func registerExperiment(_ spec: ExperimentSpec, series: Series, provenance: Provenance) throws
        -> ExperimentRecord
    {
        let specJSON = try canonicalJSON(spec)
        let seriesJSON = try canonicalJSON(series)
        return try database.write { db in
            if var existing = try ExperimentRecord.filter(Column("name") == spec.name).fetchOne(db) {
                guard existing.seedDerivation == RunSeedDerivation.current else {
                    throw ArchiveError.olderSeedDerivation(name: spec.name, productVersion: existing.productVersion)
                }
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
                swiftVersion: provenance.swiftVersion, seedDerivation: RunSeedDerivation.current)
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
                try insertForecasts(db, runID: runID, result: result)
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

