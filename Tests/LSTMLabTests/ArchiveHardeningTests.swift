import Foundation
import GRDB
import Testing

@testable import Archive
import Experiment
import Lab
import TimeSeries

/// The archive's own hardening: each archive owns its checkpoints, reads never write, errors name their cause,
/// `check` cross-checks every stored value, run ownership survives pid reuse.
@Suite("Archive hardening")
struct ArchiveHardeningTests {
    /// A small finished experiment (2 runs of 5 epochs) in a fresh archive at `path`.
    static func train(into path: String, name: String = "small") throws {
        let spec = ExperimentSpec(name: name, preset: "custom", seed: 3, repeats: 2,
                                  training: TrainingSettings(profile: .keras2, epochs: 5),
                                  configurations: [.baseline])
        _ = try Lab.writing(archive: path).run(try ExperimentPlan(spec: spec, series: .shampooSales(), snapshotInterval: 2), jobs: 1)
    }

    static func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    @Test("Two archives in one folder keep their checkpoints apart: neither overwrites the other's")
    func twoArchivesInOneFolder() throws {
        let folder = try TestSupport.temporaryDirectory()
        let x = folder.appendingPathComponent("x.sqlite").path, y = folder.appendingPathComponent("y.sqlite").path
        try Self.train(into: x)
        try Self.train(into: y)
        for (archive, stem) in [(x, "x"), (y, "y")] {
            let lab = try Lab.reading(archive: archive)
            #expect(lab.store.checkpointsDirectory == folder.appendingPathComponent("\(stem).checkpoints").path)
            for run in try lab.store.runs() { #expect(run.checkpointPath?.hasPrefix("\(stem).checkpoints/") == true) }
            #expect(try lab.check().isSound, "\(archive)")
            for run in try lab.finishedRuns(ofExperiment: "small") { #expect(try lab.reproduce(run) == .identical) }
        }
    }

    @Test("Read commands open read-only: on a folder and file nobody may write, they work and change nothing",
          .enabled(if: Unprivileged.isAvailable, "needs a non-root user, or root with setpriv"))
    func readOnlyArchive() throws {
        let folder = try Unprivileged.sharedFolder()
        let archive = folder.appendingPathComponent("archive.sqlite").path
        try Self.train(into: archive)
        // The archive stays root's (or the test user's): the commands run as another user, read-only to them.
        let before = try Self.bytes(archive)
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: folder.path))
        for arguments in [["runs"], ["show", "1"], ["check"], ["summary", "small"], ["reproduce", "1"], ["forecast", "2"]] {
            let result = try Unprivileged.run(arguments + ["--archive", archive], in: folder)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("readonly"), "\(arguments)")
        }
        #expect(try Self.bytes(archive) == before)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: folder.path)).subtracting(["lstmlab"]) == files)
        // A writing command says why it cannot, in one line, and leaves the archive as it was.
        let run = try Unprivileged.run(["run", "baseline", "--epochs", "2", "--repeats", "1", "--archive", archive], in: folder)
        #expect(run.status == 1)
        #expect(run.stderr.lowercased().contains("permission denied") && run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        #expect(try Self.bytes(archive) == before)
    }

    @Test("An unreadable checkpoint is reported as unreadable, not as a hash mismatch",
          .enabled(if: Unprivileged.isAvailable, "needs a non-root user, or root with setpriv"))
    func unreadableCheckpoint() throws {
        let folder = try Unprivileged.sharedFolder()
        let archive = folder.appendingPathComponent("archive.sqlite").path
        try Self.train(into: archive)
        try Unprivileged.giveToNobody(folder.path)
        let checkpoint = folder.appendingPathComponent("archive.checkpoints/small/1.h5").path
        #expect(chmod(checkpoint, 0) == 0)
        if getuid() == 0 { #expect(chown(checkpoint, 0, 0) == 0) }
        let result = try Unprivileged.run(["check", "--archive", archive], in: folder)
        #expect(result.status == 1)
        #expect(result.stdout.contains("cannot be read: permission denied"), "\(result.stdout)")
        #expect(!result.stdout.contains("SHA-256"))
    }

    @Test("A folder given as the archive, a foreign SQLite file with look-alike tables, and an older archive in a read command: one-line errors, nothing changed")
    func wrongFiles() throws {
        let folder = try TestSupport.temporaryDirectory()
        #expect(throws: ArchiveError.isFolder(path: folder.path)) { try Lab.reading(archive: folder.path) }
        #expect(throws: ArchiveError.isFolder(path: folder.path)) { try Lab.writing(archive: folder.path) }
        // Another GRDB program's database with a `run` table: not ours, and left byte for byte (no switch to WAL).
        let foreign = folder.appendingPathComponent("other.sqlite").path
        let queue = try DatabaseQueue(path: foreign)
        try queue.write { db in
            try db.execute(sql: """
                CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                INSERT INTO grdb_migrations VALUES ('v1: their first');
                CREATE TABLE run (id INTEGER PRIMARY KEY);
                """)
        }
        try queue.close()
        let before = try Self.bytes(foreign)
        for open in [{ _ = try Lab.reading(archive: foreign) }, { _ = try Lab.writing(archive: foreign) }] {
            #expect(throws: ArchiveError.foreignDatabase(path: foreign)) { try open() }
        }
        #expect(try Self.bytes(foreign) == before)
        #expect(!FileManager.default.fileExists(atPath: foreign + "-wal"))
    }

    @Test("A read command does not wait for a writer holding a write transaction")
    func readersDoNotWaitForWriters() throws {
        let archive = TestSupport.temporaryArchive()
        try Self.train(into: archive)
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true  // the transaction stays open across accesses on purpose
        let writer = try DatabaseQueue(path: archive, configuration: configuration)
        try writer.inDatabase { db in try db.execute(sql: "BEGIN IMMEDIATE") }
        let start = Date()
        let result = try TestSupport.runLSTMLab(["runs", "--archive", archive])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Date().timeIntervalSince(start) < 10)
        try writer.inDatabase { db in try db.execute(sql: "ROLLBACK") }
    }

    @Test("check cross-checks every run's stored values: final scores, curve length, forecast rows, checkpoint contents")
    func checkCrossChecks() throws {
        let archive = TestSupport.temporaryArchive()
        try Self.train(into: archive)
        let store = try ArchiveStore(path: archive, access: .write)
        #expect(try checkArchive(store).isSound)
        try store.write { db in try db.execute(sql: "UPDATE run SET final_test_rmse = final_test_rmse + 1 WHERE id = 1") }
        var report = try checkArchive(store)
        #expect(report.recordProblems.contains { $0.hasPrefix("run 1: final test RMSE") }, "\(report.recordProblems)")
        try store.write { db in try db.execute(sql: "DELETE FROM forecast WHERE run_id = 2 AND step = 5") }
        report = try checkArchive(store)
        #expect(report.recordProblems.contains { $0.hasPrefix("run 2: 11 forecast rows") }, "\(report.recordProblems)")
        #expect(!report.isSound)
        // A checkpoint whose hash was updated to match altered contents naming another run.
        let run = try store.run(id: 2)
        let path = store.resolveCheckpointPath(run.checkpointPath!)
        var checkpoint = try Checkpoint.read(from: path)
        checkpoint.runID = 1
        let digest = try checkpoint.write(to: path)
        try store.write { db in try db.execute(sql: "UPDATE run SET checkpoint_sha256 = ? WHERE id = 2", arguments: [digest]) }
        report = try checkArchive(store)
        #expect(report.checkpointProblems.contains { $0.contains("belongs to run 1") }, "\(report.checkpointProblems)")
        let cli = try TestSupport.runLSTMLab(["check", "--archive", archive])
        #expect(cli.status == 1 && cli.stdout.contains("final test RMSE"))
    }

    @Test("A run's owner names its process's start time: a reused pid is not taken for the process that died")
    func ownersSurvivePidReuse() throws {
        let host = ProcessInfo.processInfo.hostName
        let parent = getppid()
        let start = try #require(processStartTime(parent))
        #expect(isLiveOtherProcess("\(host):\(parent):\(start)"))
        #expect(!isLiveOtherProcess("\(host):\(parent):\(start + 1)"))  // the same pid, another process
        #expect(isLiveOtherProcess("\(host):\(parent)"))                 // lstmlab 0.1's owners: the pid alone
        #expect(!isLiveOtherProcess(processOwner))                        // this process's own runs are abandoned
        #expect(isLiveOtherProcess("another-host:1:1"))                   // other hosts cannot be checked
        #expect(processOwner.split(separator: ":").count == 3)
    }

    @Test("An older archive: read commands refuse it without writing and say how to upgrade; upgrade keeps every value")
    func upgradeOnlyWhenAsked() throws {
        let archive = TestSupport.temporaryArchive()
        try Self.train(into: archive)
        let store = try ArchiveStore(path: archive, access: .write)
        try store.write { db in
            try db.execute(sql: "ALTER TABLE run DROP COLUMN numerics_version")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier LIKE 'v3:%'")
            // Back to rows per epoch: v3 will move them into run_curve again.
            try db.execute(sql: """
                CREATE TABLE epoch (run_id INTEGER NOT NULL, epoch INTEGER NOT NULL, train_rmse REAL NOT NULL,
                    test_rmse REAL NOT NULL, loss REAL NOT NULL, PRIMARY KEY (run_id, epoch)) WITHOUT ROWID;
                CREATE VIEW curve AS SELECT * FROM epoch;
                """)
            for id in [Int64(1), 2] {
                for record in try ArchiveStore.fetchCurveForTests(db, runID: id) {
                    try db.execute(sql: "INSERT INTO epoch VALUES (?, ?, ?, ?, ?)",
                                   arguments: [id, record.epoch, record.trainRMSE, record.testRMSE, record.loss])
                }
            }
            try db.execute(sql: "DROP TABLE run_curve")
        }
        let before = try Self.bytes(archive)
        #expect(throws: ArchiveError.needsUpgrade(path: archive)) { try Lab.reading(archive: archive) }
        #expect(try Self.bytes(archive) == before)
        let refused = try TestSupport.runLSTMLab(["runs", "--archive", archive])
        #expect(refused.status == 1 && refused.stderr.contains("lstmlab upgrade --archive"))
        let upgraded = try TestSupport.runLSTMLab(["upgrade", "--archive", archive])
        #expect(upgraded.status == 0, "\(upgraded.stderr)")
        let lab = try Lab.reading(archive: archive)
        #expect(try lab.store.curve(runID: 1).count == 5)
        #expect(try lab.check().isSound)
    }

    @Test("A long run reports its progress every few seconds on standard error (it used to stay silent until the end)")
    func longRunsReportProgress() throws {
        let archive = TestSupport.temporaryArchive()
        // About 7 s in a debug build: long enough for at least one progress line after the first 5 s.
        let result = try TestSupport.runLSTMLab(["run", "baseline", "--repeats", "1", "--epochs", "20000", "--quiet",
                                                 "--archive", archive])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("progress: ") }
        #expect(!lines.isEmpty, "stderr: \(result.stderr)")
        #expect(lines.allSatisfy { $0.contains("of 1 run(s) × 20000 epochs trained") && $0.contains("left") })
    }
}
