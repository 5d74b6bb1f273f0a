import Foundation
import GRDB
import Testing

@testable import Archive
import Experiment
import Lab
import NeuralNetwork
import TimeSeries

/// A small experiment: 2 configurations × 2 repeats × 30 epochs, snapshots every 10 epochs.
private func smallSpec(name: String = "small", epochs: Int = 30, repeats: Int = 2) -> ExperimentSpec {
    ExperimentSpec(
        name: name, preset: "custom", seed: 7, repeats: repeats,
        training: TrainingSettings(profile: .keras2, epochs: epochs),
        configurations: [.baseline, .single(.kernel, L1L2(l1: 0.01, l2: 0.01))])
}

private func archiveSmall(_ spec: ExperimentSpec = smallSpec(), at path: String = TestSupport.temporaryArchive(),
                          shouldStop: @escaping @Sendable () -> Bool = { false }) throws
    -> (ArchiveStore, ExperimentRunOutcome)
{
    let store = try ArchiveStore(path: path, create: true)
    let outcome = try Lab(store: store).run(try ExperimentPlan(spec: spec, series: .shampooSales(), snapshotInterval: 10), jobs: 2,
                                            shouldStop: shouldStop)
    return (store, outcome)
}

@Suite struct ArchiveSchemaTests {
    @Test func migrationsCreateTheSchemaOnAnEmptyFile() throws {
        let path = TestSupport.temporaryArchive()
        FileManager.default.createFile(atPath: path, contents: Data())
        // Commands that do not create do not turn an empty file into an archive.
        #expect(throws: ArchiveError.emptyArchive(path: path)) { try ArchiveStore(path: path, create: false) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).isEmpty)
        let store = try ArchiveStore(path: path, create: true)
        let names = try store.write { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name")
        }
        for expected in ["run_curve", "experiment", "forecast", "run"] { #expect(names.contains(expected)) }
        let journal = try store.write { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(journal == "wal")
        let foreignKeys = try store.write { db in try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") }
        #expect(foreignKeys == true)
    }

    @Test func aMissingArchiveIsAnErrorAndIsNotCreated() throws {
        let path = TestSupport.temporaryArchive()
        #expect(throws: ArchiveError.missingArchive(path: path)) { try ArchiveStore(path: path, create: false) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func aNonSQLiteFileIsRejectedAndLeftUnchanged() throws {
        let path = try TestSupport.temporaryFile("month,sales\n1,2\n", name: "archive", extension: "sqlite")
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(throws: ArchiveError.notAnArchive(path: path)) { try ArchiveStore(path: path, create: true) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test func aForeignSQLiteDatabaseIsRejectedAndLeftUnchanged() throws {
        let path = TestSupport.temporaryArchive()
        let foreign = try DatabaseQueue(path: path)
        try foreign.write { db in try db.execute(sql: "CREATE TABLE sales (month TEXT, value REAL)") }
        try foreign.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        for create in [false, true] {
            #expect(throws: ArchiveError.foreignDatabase(path: path)) { try ArchiveStore(path: path, create: create) }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test func anArchiveFromANewerSchemaIsRejected() throws {
        let path = TestSupport.temporaryArchive()
        let store = try ArchiveStore(path: path, create: true)
        try store.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99: future')") }
        #expect(throws: ArchiveError.newerSchema(path: path, unknownMigrations: ["v99: future"])) {
            try ArchiveStore(path: path, create: false)
        }
    }

    @Test func theSchemaRejectsRowsThatBreakItsConstraints() throws {
        let (store, _) = try archiveSmall()
        // A finished run without a checkpoint, an epoch of a run that does not exist, an unknown status.
        #expect(throws: (any Error).self) {
            try store.write { db in try db.execute(sql: "UPDATE run SET checkpoint_path = NULL WHERE id = 1") }
        }
        #expect(throws: (any Error).self) {
            try store.write { db in
                try db.execute(sql: "INSERT INTO run_curve (run_id, epochs, train_rmse, test_rmse, loss) VALUES (999, 0, x'', x'', x'')")
            }
        }
        // A curve whose arrays do not hold its epoch count.
        #expect(throws: (any Error).self) {
            try store.write { db in try db.execute(sql: "UPDATE run_curve SET epochs = epochs + 1 WHERE run_id = 1") }
        }
        #expect(throws: (any Error).self) {
            try store.write { db in try db.execute(sql: "UPDATE run SET status = 'done' WHERE id = 1") }
        }
    }
}

@Suite struct ArchiveRoundTripTests {
    @Test func rowsAndCheckpointsHoldExactlyWhatTrainingProduced() throws {
        let spec = smallSpec()
        let (store, outcome) = try archiveSmall(spec)
        #expect(outcome.trained.count == 4 && outcome.skipped == 0 && !outcome.interrupted)
        let trainer = try Trainer(series: .shampooSales(), training: spec.training, snapshotInterval: 10)
        let runs = try store.runs()
        #expect(runs.count == 4 && runs.allSatisfy { $0.status == .finished })
        for record in runs {
            let task = RunTask(experiment: spec.name, configuration: try record.configuration(),
                               repeatIndex: record.repeatIndex, runSeed: UInt64(bitPattern: record.runSeed))
            #expect(task.runSeed == deriveRunSeed(experimentSeed: 7, configuration: try record.configuration().configuration,
                                                  repeatIndex: record.repeatIndex))
            let expected = try trainer.train(task)
            let curve = try store.curve(runID: record.id!)
            #expect(curve.count == 30)
            for (row, epoch) in zip(curve, expected.curve) {
                #expect(row.trainRMSE.bitPattern == epoch.trainRMSE.bitPattern)
                #expect(row.testRMSE.bitPattern == epoch.testRMSE.bitPattern)
                #expect(row.loss.bitPattern == epoch.loss.bitPattern)
            }
            #expect(record.finalTestRMSE?.bitPattern == expected.finalTestRMSE?.bitPattern)
            let forecasts = try store.forecasts(runID: record.id!)
            #expect(forecasts.map(\.forecast) == expected.testForecasts)
            #expect(forecasts.map(\.observed) == expected.testObserved)
            #expect(forecasts.map(\.month).first == "3-01")
            let checkpoint = try store.loadVerifiedCheckpoint(of: record)
            #expect(checkpoint == Checkpoint(runID: record.id!, result: expected))
            #expect(checkpoint.snapshots.map(\.epoch) == [10, 20, 30])
        }
    }

    @Test func theCheckpointHasTheKerasLayout() throws {
        let (store, _) = try archiveSmall()
        let record = try store.run(id: 1)
        let path = store.resolveCheckpointPath(try #require(record.checkpointPath))
        #expect(path.hasSuffix("checkpoints/small/1.h5"))
        let checkpoint = try Checkpoint.read(from: path)
        let layout = ParameterLayout(NetworkShape(lag: 1, units: 3))
        try readHDF5File(at: path) { file in
            #expect(try file.stringsAttribute("layer_names") == ["lstm", "dense"])
            #expect(try file.stringAttribute("backend") == "tensorflow")
            #expect(try file.stringAttribute("keras_version") == Checkpoint.kerasLayoutVersion)
            #expect(try file.stringsAttribute("weight_names", on: "lstm")
                    == ["lstm/lstm_cell/kernel", "lstm/lstm_cell/recurrent_kernel", "lstm/lstm_cell/bias"])
            #expect(try file.stringsAttribute("weight_names", on: "dense") == ["dense/kernel", "dense/bias"])
            let expectedShapes: [(String, [Int], WeightTensor)] = [
                ("lstm/lstm/lstm_cell/kernel", [1, 12], .kernel),
                ("lstm/lstm/lstm_cell/recurrent_kernel", [3, 12], .recurrentKernel),
                ("lstm/lstm/lstm_cell/bias", [12], .bias),
                ("dense/dense/kernel", [3, 1], .denseKernel),
                ("dense/dense/bias", [1], .denseBias),
            ]
            for (name, shape, tensor) in expectedShapes {
                let (values, dimensions) = try file.readDoubles(name)
                #expect(dimensions == shape, "\(name)")
                #expect(values == Array(checkpoint.finalParameters[layout.range(of: tensor)]), "\(name)")
            }
            let metadata = try JSONSerialization.jsonObject(
                with: Data(try file.stringAttribute("metadata", on: "lstmlab").utf8)) as? [String: Any]
            #expect(metadata?["run_id"] as? Int == 1)
            #expect((metadata?["run_seed"] as? NSNumber)?.int64Value == record.runSeed)
            #expect(metadata?["adam_step"] as? Int == 30 * 5)
            #expect(metadata?["numerics_version"] as? Int == numericsVersion)
            #expect(metadata?["snapshot_epochs"] as? [Int] == [10, 20, 30])
            #expect(try file.readDoubles("lstmlab/adam_moments").dimensions == [2, layout.count])
            #expect(try file.readDoubles("lstmlab/scaler").dimensions == [4, 2])
        }
    }

    @Test func hdf5RoundTripsSpecialValuesBitForBit() throws {
        let path = try TestSupport.temporaryDirectory().appendingPathComponent("values.h5").path
        let values: [Double] = [0, -0.0, .infinity, -.infinity, .nan, .leastNonzeroMagnitude, .greatestFiniteMagnitude,
                                1 / 3, -2.5e-300]
        try writeHDF5File(at: path) { file in
            try file.writeDoubles("group/values", values, dimensions: [3, 3])
            try file.setAttribute("names", on: "group", strings: ["a", "bcd", ""])
        }
        try readHDF5File(at: path) { file in
            let (read, dimensions) = try file.readDoubles("group/values")
            #expect(dimensions == [3, 3])
            #expect(read.map(\.bitPattern) == values.map(\.bitPattern))
            #expect(try file.stringsAttribute("names", on: "group") == ["a", "bcd", ""])
            #expect(!file.exists("group/other"))
        }
    }
}

@Suite struct ArchiveCommandsTests {
    @Test func reproducePassesOnAFreshRunAndFailsOnATamperedEpoch() throws {
        let (store, _) = try archiveSmall()
        let record = try store.run(id: 2)
        #expect(try Lab(store: store).reproduce(record) == .identical)
        try tamperCurve(store, runID: 2, epoch: 17, by: 1e-9)
        guard case .diverges(let divergence) = try Lab(store: store).reproduce(record) else {
            Issue.record("the tampered epoch was not found")
            return
        }
        #expect(divergence.epoch == 17 && divergence.quantity == "test RMSE")
        #expect(divergence.archived == divergence.reproduced + 1e-9)
    }

    @Test func reproduceComparesTheRecordedScoresAndForecasts() throws {
        let (store, _) = try archiveSmall()
        try store.write { db in try db.execute(sql: "UPDATE run SET final_test_rmse = final_test_rmse + 0.5 WHERE id = 1") }
        guard case .diverges(let score) = try Lab(store: store).reproduce(try store.run(id: 1)) else {
            Issue.record("a tampered final score passed")
            return
        }
        #expect(score.quantity == "final test RMSE" && score.archived == score.reproduced + 0.5)
        try store.write { db in try db.execute(sql: "DELETE FROM forecast WHERE run_id = 2 AND step = 12") }
        guard case .diverges(let forecasts) = try Lab(store: store).reproduce(try store.run(id: 2)) else {
            Issue.record("a missing forecast row passed")
            return
        }
        #expect(forecasts.quantity == "forecast count" && forecasts.reproduced == 12 && forecasts.archived == 11)
        try store.write { db in try db.execute(sql: "UPDATE forecast SET forecast = forecast * 2 WHERE run_id = 3 AND step = 4") }
        guard case .diverges(let forecast) = try Lab(store: store).reproduce(try store.run(id: 3)) else {
            Issue.record("an altered forecast passed")
            return
        }
        #expect(forecast.quantity.hasPrefix("forecast of") && forecast.archived == 2 * forecast.reproduced)
    }

    @Test func aRunOfAnotherNumericsVersionReportsItsLargestDeviationInsteadOfDiverging() throws {
        let (store, _) = try archiveSmall()
        try store.write { db in try db.execute(sql: "UPDATE run SET numerics_version = 1 WHERE id = 2") }
        #expect(try Lab(store: store).reproduce(try store.run(id: 2)) == .otherNumerics(recorded: 1, largestDeviation: nil))
        try tamperCurve(store, runID: 2, epoch: 5, by: 1e-12)
        try tamperCurve(store, runID: 2, epoch: 9, by: 3e-12)
        guard case .otherNumerics(1, let largest?) = try Lab(store: store).reproduce(try store.run(id: 2)) else {
            Issue.record("expected the largest deviation of another numerics version")
            return
        }
        #expect(largest.epoch == 9 && largest.quantity == "test RMSE" && abs(largest.magnitude - 3e-12) < 1e-13)
        // The command line says so and does not fail.
        let result = try TestSupport.runLSTMLab(["reproduce", "2", "--archive", store.path])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("numerics version 1") && result.stdout.contains("largest deviation"))
    }

    @Test func reproduceCatchesAlteredFinalWeights() throws {
        let (store, _) = try archiveSmall()
        let record = try store.run(id: 3)
        let path = store.resolveCheckpointPath(record.checkpointPath!)
        var checkpoint = try Checkpoint.read(from: path)
        checkpoint.finalParameters[5] = checkpoint.finalParameters[5].nextUp
        let digest = try checkpoint.write(to: path)
        try store.write { db in try db.execute(sql: "UPDATE run SET checkpoint_sha256 = ? WHERE id = 3", arguments: [digest]) }
        guard case .diverges(let divergence) = try Lab(store: store).reproduce(record.withHash(digest)) else {
            Issue.record("altered final weights passed")
            return
        }
        #expect(divergence.quantity == "final weight #5" && divergence.epoch == nil)
    }

    @Test func forecastFromTheCheckpointEqualsTheForecastsRecordedAtTrainingTime() throws {
        let (store, _) = try archiveSmall()
        for record in try store.runs() {
            let checkpoint = try store.loadVerifiedCheckpoint(of: record)
            let forecast = try Lab.forecast(from: checkpoint, epoch: nil, series: .shampooSales())
            let recorded = try store.forecasts(runID: record.id!)
            #expect(forecast.testMonths.map(\.forecast) == recorded.map(\.forecast))
            #expect(forecast.testMonths.map(\.month) == recorded.map(\.month))
            #expect(forecast.testRMSE.bitPattern == record.finalTestRMSE!.bitPattern)
            #expect(forecast.nextMonth.forecast.isFinite)
        }
    }

    @Test func forecastFromASnapshotUsesThatEpochsWeights() throws {
        let (store, _) = try archiveSmall()
        let record = try store.run(id: 1)
        let checkpoint = try store.loadVerifiedCheckpoint(of: record)
        let early = try Lab.forecast(from: checkpoint, epoch: 10, series: .shampooSales())
        let final = try Lab.forecast(from: checkpoint, epoch: nil, series: .shampooSales())
        // The test RMSE of the epoch-10 weights is the archived test RMSE after epoch 10.
        let curve = try store.curve(runID: 1)
        #expect(early.testRMSE.bitPattern == curve[9].testRMSE.bitPattern)
        #expect(early.testMonths.map(\.forecast) != final.testMonths.map(\.forecast))
        #expect(throws: ArchiveError.noSnapshot(epoch: 15, available: [10, 20, 30])) {
            try Lab.forecast(from: checkpoint, epoch: 15, series: .shampooSales())
        }
    }

    @Test func checkFindsAlteredTruncatedAndOrphanCheckpoints() throws {
        let (store, _) = try archiveSmall()
        #expect(try checkArchive(store).isSound)
        let altered = store.resolveCheckpointPath(try store.run(id: 1).checkpointPath!)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: altered))
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: altered))
        let truncated = store.resolveCheckpointPath(try store.run(id: 2).checkpointPath!)
        let whole = try Data(contentsOf: URL(fileURLWithPath: truncated))
        try whole.prefix(whole.count / 3).write(to: URL(fileURLWithPath: truncated))
        let orphan = URL(fileURLWithPath: store.checkpointsDirectory).appendingPathComponent("small/99.h5")
        try Data("x".utf8).write(to: orphan)
        let report = try checkArchive(store)
        #expect(!report.isSound)
        #expect(report.checkpointProblems.count == 2)
        #expect(report.orphanFiles == [orphan.standardizedFileURL.path])
        #expect(report.integrityProblems.isEmpty)
        #expect(throws: ArchiveError.checkpointHashMismatch(path: altered)) {
            try store.loadVerifiedCheckpoint(of: try store.run(id: 1))
        }
        // Read directly (bypassing the hash), a truncated file is a one-line damaged-checkpoint error.
        #expect(throws: ArchiveError.self) { try Checkpoint.read(from: truncated) }
    }

    @Test func anUnknownRunIsAnError() throws {
        let (store, _) = try archiveSmall()
        #expect(throws: ArchiveError.unknownRun("42")) { try store.run(id: 42) }
    }
}

@Suite struct ArchiveRecoveryTests {
    /// Final test RMSE by (configuration, repeat).
    private func scores(_ store: ArchiveStore) throws -> [String: UInt64] {
        Dictionary(uniqueKeysWithValues: try store.runs(status: .finished).map {
            ("\($0.configurationLabel)#\($0.repeatIndex)", $0.finalTestRMSE!.bitPattern)
        })
    }

    @Test func anInterruptedExperimentResumesToTheSameResults() throws {
        // 20 runs: three vectors of runs (8, 8 and 4 lanes).
        let spec = smallSpec(repeats: 10)
        let (reference, _) = try archiveSmall(spec)
        // Stop once one vector has started: the workers poll before each vector.
        let started = Mutex(0)
        let path = TestSupport.temporaryArchive()
        let (store, first) = try archiveSmall(spec, at: path, shouldStop: {
            started.withLock { count in
                count += 1
                return count > 1
            }
        })
        #expect(first.interrupted && first.trained.count < 20 && first.notStarted > 0)
        #expect(try store.runs(status: .running).isEmpty)
        let (_, second) = try archiveSmall(spec, at: path)
        #expect(second.skipped == first.trained.count && second.trained.count == 20 - first.trained.count)
        #expect(try scores(store) == scores(reference))
        #expect(try checkArchive(store).isSound)
    }

    @Test func staleRunningRowsAndTheirFilesAreRedone() throws {
        let spec = smallSpec()
        let (store, _) = try archiveSmall(spec)
        let reference = try scores(store)
        // Simulate a crash in the middle of run 4: back to `running`, rows gone, a temporary file left behind.
        let folder = URL(fileURLWithPath: store.checkpointsDirectory).appendingPathComponent("small")
        try store.write { db in
            try db.execute(sql: "DELETE FROM run_curve WHERE run_id = 4")
            try db.execute(sql: "DELETE FROM forecast WHERE run_id = 4")
            try db.execute(sql: """
                UPDATE run SET status = 'running', ended_at = NULL, final_test_rmse = NULL, final_train_rmse = NULL,
                checkpoint_path = NULL, checkpoint_sha256 = NULL WHERE id = 4
                """)
        }
        try Data("partial".utf8).write(to: folder.appendingPathComponent(".4.h5.12345.tmp"))
        let report = try checkArchive(store)
        #expect(report.staleRunning == [4] && !report.orphanFiles.isEmpty)
        let (_, outcome) = try archiveSmall(spec, at: store.path)
        #expect(outcome.skipped == 3 && outcome.trained.count == 1)
        #expect(try scores(store) == reference)
        #expect(try checkArchive(store).isSound)
    }

    @Test func killedMidExperimentThenResumedMatchesAnUninterruptedRun() throws {
        let directory = try TestSupport.temporaryDirectory()
        let killed = directory.appendingPathComponent("killed/archive.sqlite").path
        let whole = directory.appendingPathComponent("whole/archive.sqlite").path
        let arguments = ["run", "input", "--repeats", "6", "--epochs", "400", "--jobs", "2", "--quiet"]
        let process = try startLSTMLab(arguments + ["--archive", killed])
        // Kill it once a few runs are in the archive.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let store = try? ArchiveStore(path: killed, create: false),
               let count = try? store.runs(status: .finished).count, count >= 3 { break }
            usleep(2_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        let resumed = try TestSupport.runLSTMLab(arguments + ["--archive", killed])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let uninterrupted = try TestSupport.runLSTMLab(arguments + ["--archive", whole])
        #expect(uninterrupted.status == 0)
        let a = try ArchiveStore(path: killed, create: false), b = try ArchiveStore(path: whole, create: false)
        #expect(try a.runs(status: .finished).count == 24)
        #expect(try scores(a) == scores(b))
        #expect(try checkArchive(a).isSound)
    }

    @Test func aDivergingRunIsArchivedAsFailedWithItsFiniteEpochs() throws {
        var spec = smallSpec(repeats: 1)
        spec.training.learningRate = 1e300
        let (store, outcome) = try archiveSmall(spec)
        #expect(!outcome.interrupted && outcome.trained.count == 2)
        let runs = try store.runs()
        #expect(runs.allSatisfy { $0.status == .failed && $0.failedEpoch != nil && $0.finalTestRMSE == nil })
        for run in runs {
            #expect(try store.curve(runID: run.id!).count == run.failedEpoch! - 1)
            #expect(try Lab(store: store).reproduce(run) == .identical)
        }
        // Running it again redoes the failed runs, with the same outcome.
        let (_, again) = try archiveSmall(spec, at: store.path)
        #expect(again.skipped == 0 && again.trained.count == 2)
        #expect(try store.runs().map(\.failedEpoch) == runs.map(\.failedEpoch))
    }

    @Test func twoProcessesRunningTheSameExperimentShareItsRuns() throws {
        let archive = TestSupport.temporaryArchive()
        _ = try ArchiveStore(path: archive, create: true)
        let directory = URL(fileURLWithPath: archive).deletingLastPathComponent()
        let logs = (0..<2).map { directory.appendingPathComponent("process-\($0).log") }
        let processes = try logs.map { log in
            try startLSTMLab(["run", "input", "--repeats", "12", "--epochs", "150", "--jobs", "1", "--quiet",
                              "--archive", archive], errors: log)
        }
        // Each exits 0 when the experiment is complete as it ends, 3 when the other process still trains some runs.
        var statuses: [Int32] = []
        for (process, log) in zip(processes, logs) {
            process.waitUntilExit()
            statuses.append(process.terminationStatus)
            #expect([0, 3].contains(process.terminationStatus), "\((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }
        #expect(statuses.contains(0), "the last to end found the experiment complete")
        let store = try ArchiveStore(path: archive, create: false)
        #expect(try store.runs().count == 48)
        #expect(try store.runs(status: .finished).count == 48)
        #expect(try checkArchive(store).isSound)
    }

    @Test func twoProcessesWritingOneArchiveBothSucceed() throws {
        let archive = TestSupport.temporaryArchive()
        _ = try ArchiveStore(path: archive, create: true)
        let processes = try ["bias", "recurrent"].map { preset in
            try startLSTMLab(["run", preset, "--repeats", "8", "--epochs", "60", "--jobs", "1", "--quiet",
                              "--checkpoint-every", "10", "--archive", archive])
        }
        for process in processes {
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
        }
        let store = try ArchiveStore(path: archive, create: false)
        #expect(try store.experiments().map(\.name).sorted() == ["bias-keras2", "recurrent-keras2"])
        #expect(try store.runs(status: .finished).count == 64)
        #expect(try checkArchive(store).isSound)
    }
}

/// Starts the built `lstmlab` in the background with its output discarded (its errors written to `errors`).
private func startLSTMLab(_ arguments: [String], errors: URL? = nil) throws -> Process {
    let process = Process()
    process.executableURL = try TestSupport.lstmlabExecutable()
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    if let errors {
        FileManager.default.createFile(atPath: errors.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: errors)
    } else {
        process.standardError = FileHandle.nullDevice
    }
    try process.run()
    return process
}

extension RunRecord {
    fileprivate func withHash(_ digest: String) -> RunRecord {
        var copy = self
        copy.checkpointSHA256 = digest
        return copy
    }
}

import Synchronization

/// Adds `delta` to one epoch's test RMSE in a run's stored curve.
func tamperCurve(_ store: ArchiveStore, runID: Int64, epoch: Int, by delta: Double) throws {
    try store.write { db in
        let blob = try #require(try Data.fetchOne(db, sql: "SELECT test_rmse FROM run_curve WHERE run_id = ?", arguments: [runID]))
        var values = try #require(doubles(fromFloat64Bytes: blob))
        values[epoch - 1] += delta
        try db.execute(sql: "UPDATE run_curve SET test_rmse = ? WHERE run_id = ?", arguments: [float64Bytes(values), runID])
    }
}
