import Foundation
import GRDB
import Testing

@testable import Archive
import Experiment
@testable import Lab
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
        // Even archives whose names differ only after the last dot: the folder is named after the whole file name.
        let names = ["x.sqlite", "y.sqlite", "x.db", "x"]
        for name in names { try Self.train(into: folder.appendingPathComponent(name).path) }
        for name in names {
            let archive = folder.appendingPathComponent(name).path
            let lab = try Lab.reading(archive: archive)
            #expect(lab.store.checkpointsDirectory == folder.appendingPathComponent("\(name).checkpoints").path)
            for run in try lab.store.runs() { #expect(run.checkpointPath?.hasPrefix("\(name).checkpoints/") == true) }
            #expect(try lab.check().isSound, "\(archive)")
            for run in try lab.finishedRuns(ofExperiment: "small") { #expect(try lab.reproduce(run) == .identical) }
        }
    }

    @Test("An archive renamed with its checkpoints folder, or opened through a symbolic link, finds its checkpoints")
    func renamedAndLinkedArchives() throws {
        let folder = try TestSupport.temporaryDirectory()
        let original = folder.appendingPathComponent("x.sqlite").path
        try Self.train(into: original)
        let renamed = folder.appendingPathComponent("renamed.sqlite").path
        try FileManager.default.moveItem(atPath: original, toPath: renamed)
        try FileManager.default.moveItem(atPath: original + ".checkpoints", toPath: renamed + ".checkpoints")
        #expect(try Lab.reading(archive: renamed).check().isSound)
        let elsewhere = try TestSupport.temporaryDirectory().appendingPathComponent("link.sqlite").path
        try FileManager.default.createSymbolicLink(atPath: elsewhere, withDestinationPath: renamed)
        let linked = try Lab.reading(archive: elsewhere)
        #expect(try linked.check().isSound)
        #expect(try linked.forecast(runID: 1).testMonths.count == 12)
    }

    @Test("A creation killed before its first migration committed leaves a file the next run takes up, not a 'foreign' one")
    func interruptedCreation() throws {
        let path = TestSupport.temporaryArchive()
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)") }
        try queue.close()
        try Self.train(into: path)
        #expect(try Lab.reading(archive: path).check().isSound)
    }

    @Test("The archive option never crashes: a one-letter name, a trailing slash, a device, a pipe")
    func oddArchivePaths() throws {
        let folder = try TestSupport.temporaryDirectory()
        let oneLetter = try TestSupport.runLSTMLab(["run", "baseline", "--epochs", "2", "--repeats", "1", "--quiet",
                                                    "--archive", folder.appendingPathComponent("y").path])
        #expect(oneLetter.status == 0, "\(oneLetter.stderr)")
        for archive in [folder.appendingPathComponent("q/").path + "/", "/dev/null"] {
            let result = try TestSupport.runLSTMLab(["run", "baseline", "--epochs", "2", "--repeats", "1", "--archive", archive])
            #expect(result.status == 1 && result.stderr.split(separator: "\n").count == 1, "\(archive): \(result.stderr)")
        }
        let fifo = folder.appendingPathComponent("fifo.sqlite").path
        #expect(mkfifo(fifo, 0o644) == 0)
        let start = Date()
        for arguments in [["runs", "--archive", fifo], ["upgrade", "--archive", fifo], ["verify-keras", fifo],
                          ["persistence", "--data", fifo]] {
            let result = try TestSupport.runLSTMLab(arguments)
            #expect(result.status == 1 && result.stderr.contains("not a regular file"), "\(arguments): \(result.stderr)")
        }
        #expect(Date().timeIntervalSince(start) < 20)
        #expect(!FileManager.default.fileExists(atPath: "/dev/null-journal"))
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
        let checkpoint = folder.appendingPathComponent("archive.sqlite.checkpoints/small/1.h5").path
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
        // Forecast rows whose month or observed value is not the series' are caught too.
        let fresh = TestSupport.temporaryArchive()
        try Self.train(into: fresh)
        let other = try ArchiveStore(path: fresh, access: .write)
        try other.write { db in try db.execute(sql: "UPDATE forecast SET month = '1-99' WHERE run_id = 1 AND step = 4") }
        try other.write { db in try db.execute(sql: "UPDATE forecast SET observed = observed + 1 WHERE run_id = 2 AND step = 2") }
        let problems = try checkArchive(other).recordProblems
        #expect(problems.filter { $0.contains("months or observed values") }.count == 2, "\(problems)")
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
        let curves = try store.curves(runIDs: [1, 2])
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
                for record in curves[id] ?? [] {
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

    @Test("A read-only folder holding a write-ahead log with transactions but no -shm: read with the log's transactions, not stale",
          .enabled(if: Unprivileged.isAvailable, "needs a non-root user, or root with setpriv"))
    func unreadableWriteAheadLog() throws {
        let source = TestSupport.temporaryArchive()
        let lab = try Lab.writing(archive: source)
        let spec = ExperimentSpec(name: "small", preset: "custom", seed: 3, repeats: 2,
                                  training: TrainingSettings(profile: .keras2, epochs: 5), configurations: [.baseline])
        _ = try lab.run(try ExperimentPlan(spec: spec, series: .shampooSales(), snapshotInterval: nil), jobs: 1)
        // While the archive is open its committed runs are still in the log: copy the file and the log, not the -shm.
        let folder = try Unprivileged.sharedFolder()
        let copy = folder.appendingPathComponent("archive.sqlite").path
        try FileManager.default.copyItem(atPath: source, toPath: copy)
        try FileManager.default.copyItem(atPath: source + "-wal", toPath: copy + "-wal")
        #expect(((try FileManager.default.attributesOfItem(atPath: copy + "-wal")[.size] as? Int) ?? 0) > 0)
        let before = try Self.bytes(copy)
        let result = try Unprivileged.run(["runs", "--archive", copy], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        // Both runs, committed only in the log, are there as finished.
        #expect(result.stdout.split(separator: "\n").filter { $0.contains("\tfinished\t") }.count == 2, "\(result.stdout)")
        #expect(try Self.bytes(copy) == before)
        #expect(!FileManager.default.fileExists(atPath: copy + "-shm"))
    }

    @Test("A run owned by a process that was killed but not yet reaped (a zombie) counts as abandoned")
    func zombieOwners() throws {
        var pid: pid_t = 0
        let arguments = ["/bin/sleep", "100"]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        #expect(posix_spawn(&pid, "/bin/sleep", nil, nil, &argv, environ) == 0)
        let start = try #require(processStartTime(pid))
        let owner = "\(ProcessInfo.processInfo.hostName):\(pid):\(start)"
        #expect(isLiveOtherProcess(owner))
        kill(pid, SIGKILL)
        for _ in 0..<100 where processState(pid) != "Z" { usleep(10_000) }
        #expect(processState(pid) == "Z")
        #expect(!isLiveOtherProcess(owner))
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    @Test("check while a live process trains: its running runs and their files are neither stale nor orphans")
    func checkDuringALiveRun() throws {
        let archive = TestSupport.temporaryArchive()
        try Self.train(into: archive)
        let store = try ArchiveStore(path: archive, access: .write)
        // Run 2 back to `running`, owned by a live process (this test's parent), its checkpoint still on disk.
        let parent = getppid()
        let owner = "\(ProcessInfo.processInfo.hostName):\(parent):\(try #require(processStartTime(parent)))"
        try store.write { db in
            try db.execute(sql: """
                UPDATE run SET status = 'running', owner = ?, ended_at = NULL, final_test_rmse = NULL,
                final_train_rmse = NULL, checkpoint_path = NULL, checkpoint_sha256 = NULL WHERE id = 2
                """, arguments: [owner])
            // As beginRun leaves it: no results yet (a run is archived with its curve and forecasts at once).
            try db.execute(sql: "DELETE FROM forecast WHERE run_id = 2")
            try db.execute(sql: "DELETE FROM run_curve WHERE run_id = 2")
        }
        let report = try checkArchive(store)
        #expect(report.runningNow == [2] && report.staleRunning.isEmpty && report.orphanFiles.isEmpty)
        #expect(report.isSound)
        // Once its owner is gone, the same run is stale.
        try store.write { db in try db.execute(sql: "UPDATE run SET owner = ? WHERE id = 2", arguments: [owner + "1"]) }
        #expect(try checkArchive(store).staleRunning == [2])
    }

    @Test("reproduce --experiment goes on past a run it cannot reproduce, and catches an altered observed value")
    func reproduceGoesOn() throws {
        let archive = TestSupport.temporaryArchive()
        try Self.train(into: archive)
        let store = try ArchiveStore(path: archive, access: .write)
        try FileManager.default.removeItem(atPath: store.resolveCheckpointPath(try store.run(id: 1).checkpointPath!))
        try store.write { db in try db.execute(sql: "UPDATE forecast SET observed = observed + 1 WHERE run_id = 2 AND step = 3") }
        let result = try TestSupport.runLSTMLab(["reproduce", "--experiment", "small", "--archive", archive])
        #expect(result.status == 1)
        #expect(result.stdout.contains("run 1: CANNOT REPRODUCE") && result.stdout.contains("missing"), "\(result.stdout)")
        #expect(result.stdout.contains("run 2: DIVERGES") && result.stdout.contains("observed value"), "\(result.stdout)")
    }

    @Test("Analyses of an experiment with runs missing say so")
    func incompleteExperiments() throws {
        let archive = TestSupport.temporaryArchive()
        try Self.train(into: archive)
        let store = try ArchiveStore(path: archive, access: .write)
        try store.write { db in try db.execute(sql: "UPDATE run SET status = 'interrupted' WHERE id = 2") }
        for arguments in [["summary", "small"], ["reproduce", "--experiment", "small"]] {
            let result = try TestSupport.runLSTMLab(arguments + ["--archive", archive])
            #expect(result.stderr.contains("is incomplete: 1 of 2 runs finished"), "\(arguments): \(result.stderr)")
        }
        let notebooks = try TestSupport.temporaryDirectory().path
        #expect(try TestSupport.runLSTMLab(["notebook", "small", "--directory", notebooks, "--archive", archive]).status == 0)
        let text = try String(contentsOfFile: notebooks + "/small.md", encoding: .utf8)
        #expect(text.contains("1 not finished"))
    }

    @Test("upgrade on a current archive writes nothing and says so")
    func upgradeOfACurrentArchive() throws {
        let archive = TestSupport.temporaryArchive()
        try Self.train(into: archive)
        let before = try Self.bytes(archive)
        let result = try TestSupport.runLSTMLab(["upgrade", "--archive", archive])
        #expect(result.status == 0 && result.stdout.contains("nothing was written"), "\(result.stdout)")
        #expect(try Self.bytes(archive) == before)
    }

    /// Whether this process may mount a small tmpfs (root, in CI and here), to fill a disk for real.
    static let canMountTmpfs: Bool = {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/bin/mount") else { return false }
        guard let folder = try? TestSupport.temporaryDirectory() else { return false }
        let mounted = (try? runTool("/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", folder.path])) == 0
        if mounted { _ = try? runTool("/bin/umount", [folder.path]) }
        return mounted
    }()

    static func runTool(_ path: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    @Test("A full disk is named as such (errno), in one line, and the experiment completes once there is room",
          .enabled(if: canMountTmpfs, "needs root and tmpfs"))
    func fullDisk() throws {
        let folder = try TestSupport.temporaryDirectory()
        #expect(try Self.runTool("/bin/mount", ["-t", "tmpfs", "-o", "size=200k", "tmpfs", folder.path]) == 0)
        defer { _ = try? Self.runTool("/bin/umount", ["-l", folder.path]) }
        let archive = folder.appendingPathComponent("a.sqlite").path
        let arguments = ["run", "baseline", "--repeats", "8", "--epochs", "200", "--quiet", "--archive", archive]
        let full = try TestSupport.runLSTMLab(arguments)
        #expect(full.status == 1)
        #expect(full.stderr.split(separator: "\n").count == 1, "\(full.stderr)")
        #expect(full.stderr.contains("No space left on device") || full.stderr.contains("disk is full"), "\(full.stderr)")
        // Room again: the same command finishes the experiment and the archive is sound.
        #expect(try Self.runTool("/bin/mount", ["-o", "remount,size=8m", folder.path]) == 0)
        let again = try TestSupport.runLSTMLab(arguments)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try Lab.reading(archive: archive).check().isSound)
    }

    @Test("Output cut short by a full disk is a failure with the reason, not a silent success",
          .enabled(if: canMountTmpfs, "needs root and tmpfs"))
    func fullDiskForOutput() throws {
        let folder = try TestSupport.temporaryDirectory()
        #expect(try Self.runTool("/bin/mount", ["-t", "tmpfs", "-o", "size=4k", "tmpfs", folder.path]) == 0)
        defer { _ = try? Self.runTool("/bin/umount", ["-l", folder.path]) }
        // Fill the little file system, then send a command's output into it.
        FileManager.default.createFile(atPath: folder.appendingPathComponent("fill").path, contents: Data(count: 4096))
        let outputPath = folder.appendingPathComponent("out.txt").path
        FileManager.default.createFile(atPath: outputPath, contents: nil)
        let output = try #require(FileHandle(forWritingAtPath: outputPath))
        let process = Process()
        process.executableURL = try TestSupport.lstmlabExecutable()
        process.arguments = ["presets", "--verbose"]
        process.standardOutput = output
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        #expect(message.contains("cannot write the output: No space left on device"), "\(message)")
    }
}
