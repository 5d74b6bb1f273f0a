import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GRDB
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import Archive
import Experiment
@testable import Lab
@testable import LSTMLabCLI
@testable import Server
import TimeSeries

/// What `check`, `verify-keras`, the readers and the README promise, held to it: readers right while another process
/// writes, verdicts covering all they compare, the promised bounds, waits, exit statuses and recreating commands.
@Suite("Trust: readers, verdicts and promises")
struct TrustTests {
    /// `lstmlab run` with `arguments`, which must succeed.
    @discardableResult
    static func lstmlab(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let result = try TestSupport.runLSTMLab(arguments)
        try #require(result.status == 0, "lstmlab \(arguments.joined(separator: " ")): \(result.stderr)")
        return result
    }

    /// A GET over HTTP: the status (0 when nothing answered) and the body.
    static func get(_ url: String) -> (status: Int, body: Data) {
        let done = DispatchSemaphore(value: 0)
        let answer = Mutex<(Int, Data)>((0, Data()))
        URLSession.shared.dataTask(with: URL(string: url)!) { data, response, _ in
            answer.withLock { $0 = ((response as? HTTPURLResponse)?.statusCode ?? 0, data ?? Data()) }
            done.signal()
        }.resume()
        done.wait()
        return answer.withLock { $0 }
    }

    // MARK: 2. Readers are right or refuse

    @Test("Readers in a folder they cannot write, while another process writes: check, runs, reproduce and serve never answer stale, malformed or dead",
          .enabled(if: Unprivileged.isAvailable, "needs a non-root user, or root with setpriv"))
    func readersWhileAnotherProcessWrites() throws {
        let folder = try Unprivileged.sharedFolder()
        let archive = folder.appendingPathComponent("archive.sqlite").path
        try Self.lstmlab(["run", "baseline", "--epochs", "5", "--repeats", "2", "--quiet", "--archive", archive])
        #expect(!FileManager.default.fileExists(atPath: archive + "-shm"), "the archive is closed: readers have no -shm to use")
        _ = try Unprivileged.run(["--version"], in: folder)
        // serve as the unprivileged user, started before the writer: it begins on a snapshot.
        let server = try ServerProcess(archive: archive, program: Unprivileged.command(in: folder))
        defer { server.stop() }
        let writer = Process()
        writer.executableURL = try TestSupport.lstmlabExecutable()
        writer.arguments = ["run", "baseline", "--name", "live", "--epochs", "300", "--repeats", "24", "--jobs", "1", "--quiet",
                            "--archive", archive]
        writer.standardOutput = FileHandle.nullDevice
        writer.standardError = FileHandle.nullDevice
        try writer.run()
        var servedFinished = 0, listedFinished = 0, rounds = 0
        func liveFinished(_ body: Data) -> Int? {
            let experiments = (try? JSONSerialization.jsonObject(with: body)) as? [[String: Any]]
            return experiments?.first { $0["name"] as? String == "live" }?["finished"] as? Int
        }
        while writer.isRunning {
            rounds += 1
            let check = try Unprivileged.run(["check", "--archive", archive], in: folder)
            #expect(check.status == 0 && check.stdout.contains("archive sound"), "check: \(check.stdout) \(check.stderr)")
            #expect(!check.stdout.contains("still marked running"), "check called a live run dead: \(check.stdout)")
            let runs = try Unprivileged.run(["runs", "--experiment", "live", "--archive", archive], in: folder)
            if runs.status == 0 {
                let statuses = runs.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: "\t")[5] }
                #expect(statuses.allSatisfy { $0 == "finished" || $0 == "running" }, "\(runs.stdout)")
                let finished = statuses.filter { $0 == "finished" }.count
                #expect(finished >= listedFinished, "runs went back from \(listedFinished) to \(finished) finished runs")
                listedFinished = finished
                if finished > 0 {
                    let reproduce = try Unprivileged.run(["reproduce", "--experiment", "live", "--archive", archive], in: folder)
                    #expect(reproduce.status == 0, "reproduce: \(reproduce.stdout) \(reproduce.stderr)")
                }
            } else {
                #expect(runs.stderr.contains("no experiment named 'live'"), "runs: \(runs.stderr)")
            }
            let answer = Self.get("http://127.0.0.1:\(server.port)/api/experiments")
            #expect(answer.status == 200, "serve answered \(answer.status): \(String(decoding: answer.body, as: UTF8.self))")
            if let finished = liveFinished(answer.body) {
                #expect(finished >= servedFinished)
                servedFinished = finished
            }
        }
        #expect(writer.terminationStatus == 0)
        #expect(rounds >= 2, "the writer ended before the readers could read while it wrote")
        // Once it is done, every reader sees all of it.
        #expect(liveFinished(Self.get("http://127.0.0.1:\(server.port)/api/experiments").body) == 24)
        let runs = try Unprivileged.run(["runs", "--experiment", "live", "--archive", archive], in: folder)
        #expect(runs.stdout.split(separator: "\n").filter { $0.contains("\tfinished\t") }.count == 24)
    }

    @Test("A reader in a folder it cannot write sees an archive that changed since it opened it (serve's snapshot is taken again)",
          .enabled(if: Unprivileged.isAvailable, "needs a non-root user, or root with setpriv"))
    func snapshotsFollowTheArchive() throws {
        let folder = try Unprivileged.sharedFolder()
        let archive = folder.appendingPathComponent("archive.sqlite").path
        try Self.lstmlab(["run", "baseline", "--epochs", "5", "--repeats", "1", "--quiet", "--archive", archive])
        _ = try Unprivileged.run(["--version"], in: folder)
        let server = try ServerProcess(archive: archive, program: Unprivileged.command(in: folder))
        defer { server.stop() }
        #expect(Self.get("http://127.0.0.1:\(server.port)/api/experiments/1/runs").body.count > 0)
        // Another experiment, written and closed (its -shm gone) while serve runs.
        try Self.lstmlab(["run", "bias", "--epochs", "5", "--repeats", "1", "--quiet", "--archive", archive])
        let answer = Self.get("http://127.0.0.1:\(server.port)/api/experiments")
        let names = ((try? JSONSerialization.jsonObject(with: answer.body)) as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(names == ["baseline-keras2", "bias-keras2"], "\(String(decoding: answer.body, as: UTF8.self))")
    }

    // MARK: 3. merge runs the record checks on a shard

    @Test("merge refuses a shard whose records contradict themselves, taking nothing from it")
    func mergeRefusesInconsistentShards() throws {
        let folder = try TestSupport.temporaryDirectory()
        let shard = folder.appendingPathComponent("shard.sqlite").path
        try Self.lstmlab(["run", "input", "--epochs", "4", "--repeats", "2", "--quiet", "--archive", shard])
        let queue = try DatabaseQueue(path: shard)
        try queue.write { db in
            try db.execute(sql: "UPDATE run SET configuration_label = 'kernel L1L2(0.01,0.00)' WHERE id = 1")
        }
        try queue.close()
        let merged = folder.appendingPathComponent("merged.sqlite").path
        let result = try TestSupport.runLSTMLab(["merge", shard, "--into", merged])
        #expect(result.status == 1)
        #expect(result.stdout.contains("fails the record checks") && result.stdout.contains("run 1"), "\(result.stdout)")
        #expect(try Lab.reading(archive: merged).store.runs().isEmpty)
    }

    // MARK: 5. verify-keras

    @Test("verify-keras fails on a deviation in the forecasts or the test RMSE, refuses a float32 dump, and says what it compared")
    func verifyKerasVerdict() throws {
        let source = try TestSupport.fixturePath("keras-baseline-5epochs")
        var dump = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: source))) as? [String: Any])
        let ok = try TestSupport.runLSTMLab(["verify-keras", source])
        #expect(ok.status == 0 && ok.stdout.contains("over weights, losses, predictions") && ok.stdout.contains("over forecasts, test RMSE (sales)"),
                "\(ok.stdout)")
        var forecasts = try #require(dump["test_forecasts"] as? [Double])
        forecasts[3] += 1e-3
        dump["test_forecasts"] = forecasts
        let deviating = try TestSupport.temporaryFile(String(decoding: try JSONSerialization.data(withJSONObject: dump), as: UTF8.self),
                                                      name: "deviating", extension: "json")
        let failed = try TestSupport.runLSTMLab(["verify-keras", deviating])
        #expect(failed.status == 1 && failed.stderr.contains("of the forecasts, test RMSE exceeds") && !failed.stdout.contains("OK"),
                "\(failed.stdout) \(failed.stderr)")
        forecasts[3] -= 1e-3
        dump["test_forecasts"] = forecasts
        dump["test_rmse"] = (dump["test_rmse"] as? Double ?? 0) + 1e-4
        let rmse = try TestSupport.temporaryFile(String(decoding: try JSONSerialization.data(withJSONObject: dump), as: UTF8.self),
                                                 name: "rmse", extension: "json")
        #expect(try TestSupport.runLSTMLab(["verify-keras", rmse]).status == 1)
        dump["test_rmse"] = nil
        dump["dtype"] = "float32"
        let float32 = try TestSupport.temporaryFile(String(decoding: try JSONSerialization.data(withJSONObject: dump), as: UTF8.self),
                                                    name: "float32", extension: "json")
        let refused = try TestSupport.runLSTMLab(["verify-keras", float32])
        #expect(refused.status == 1 && refused.stderr.contains("dtype is 'float32'"), "\(refused.stderr)")
        #expect(refused.stderr.split(separator: "\n").count == 1)
    }

    // MARK: 6. The README's promises

    @Test("A busy archive: run fails in one line after the stated 30 s, instead of waiting on")
    func busyArchive() throws {
        let archive = TestSupport.temporaryArchive()
        try Self.lstmlab(["run", "baseline", "--epochs", "2", "--repeats", "1", "--quiet", "--archive", archive])
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true  // the transaction stays open across accesses on purpose
        let holder = try DatabaseQueue(path: archive, configuration: configuration)
        try holder.inDatabase { db in try db.execute(sql: "BEGIN IMMEDIATE") }
        defer { try? holder.inDatabase { db in try db.execute(sql: "ROLLBACK") } }
        let start = Date()
        let result = try TestSupport.runLSTMLab(["run", "baseline", "--epochs", "2", "--repeats", "2", "--quiet", "--archive", archive])
        let elapsed = Date().timeIntervalSince(start)
        #expect(result.status == 1)
        #expect(result.stderr.contains("is busy") && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(elapsed >= ArchiveStore.busyTimeout - 1 && elapsed < ArchiveStore.busyTimeout + 15, "waited \(elapsed) s")
    }

    @Test("/api/runs/ID/epochs refuses an answer of more than a million values, as the other curve answers do")
    func epochsAnswerIsBounded() async throws {
        let archive = TestSupport.temporaryArchive()
        try Self.lstmlab(["run", "baseline", "--epochs", "2", "--repeats", "1", "--quiet", "--archive", archive])
        // The curve of a 300 000-epoch run: 1.2 million values with the loss.
        let epochs = 300_000
        let bytes = [Double](repeating: 100, count: epochs).map(\.bitPattern.littleEndian).withUnsafeBytes { Data($0) }
        let queue = try DatabaseQueue(path: archive)
        try await queue.write { db in
            try db.execute(sql: "UPDATE run_curve SET epochs = ?, train_rmse = ?, test_rmse = ?, loss = ? WHERE run_id = 1",
                           arguments: [epochs, bytes, bytes, bytes])
        }
        try queue.close()
        let server = try ArchiveServer(lab: try Lab.reading(archive: archive))
        let statuses = try await Application(router: server.router()).test(.router) { client in
            [try await client.execute(uri: "/api/runs/1/epochs", method: .get).status.code,
             try await client.execute(uri: "/api/runs/1/epochs?max-points=1000", method: .get).status.code]
        }
        #expect(statuses == [400, 200])
    }

    @Test("show's recreating command reproduces the run bit for bit (diff identical), whatever options run was given",
          arguments: [
              ["input", "--name", "a1", "--profile", "keras3", "--seed", "5", "--repeats", "2", "--epochs", "7",
               "--checkpoint-every", "3", "--units", "2", "--batch", "2", "--lag", "2", "--test-size", "6",
               "--learning-rate", "0.003"],
              ["--place", "kernel", "--l1", "0.01", "--l2", "0", "--place", "bias", "--l1", "0", "--l2", "0.02",
               "--epochs", "5", "--repeats", "1", "--checkpoint-every", "0", "--data", "DATA", "--column", "Sales"],
              ["baseline", "--epochs", "150", "--repeats", "1"],
              ["activity", "--epochs", "4", "--repeats", "1", "--checkpoint-every", "1", "--data", "DATA"],
          ])
    func recreatingCommands(_ options: [String]) throws {
        let folder = try TestSupport.temporaryDirectory()
        let data = folder.appendingPathComponent("sales.csv").path
        var csv = "Month,Sales\n"
        for index in 0..<40 { csv += "m\(index),\(200 + (index * 37) % 101)\n" }
        try csv.write(toFile: data, atomically: true, encoding: .utf8)
        let first = folder.appendingPathComponent("first.sqlite").path
        let second = folder.appendingPathComponent("second.sqlite").path
        try Self.lstmlab(["run"] + options.map { $0 == "DATA" ? data : $0 } + ["--quiet", "--archive", first])
        let show = try Self.lstmlab(["show", "1", "--archive", first])
        let line = try #require(show.stdout.split(separator: "\n").first { $0.hasPrefix("recreate") })
        let command = line.dropFirst("recreate".count).trimmingCharacters(in: .whitespaces)
        #expect(command.hasPrefix("lstmlab run"))
        let program = try TestSupport.lstmlabExecutable().path
        let recreated = try TestSupport.runProcess(
            URL(fileURLWithPath: "/bin/sh"),
            ["-c", "\(shellQuoted(program))\(command.dropFirst("lstmlab".count)) --quiet --archive \(shellQuoted(second))"],
            in: folder)
        #expect(recreated.status == 0, "\(command): \(recreated.stderr)")
        let diff = try TestSupport.runLSTMLab(["diff", first, second])
        #expect(diff.status == 0 && diff.stdout.contains("identical"), "\(command): \(diff.stderr)")
    }

    @Test("upgrade is all or nothing: an archive of lstmlab 0.1 whose upgrade fails is left with every migration pending")
    func upgradeAllOrNothing() throws {
        let archive = TestSupport.temporaryArchive()
        try Self.lstmlab(["run", "baseline", "--epochs", "5", "--repeats", "2", "--quiet", "--archive", archive])
        let curves = try ArchiveStore(path: archive, access: .read).curves(runIDs: [1, 2])
        let queue = try DatabaseQueue(path: archive)
        try queue.write { db in
            // Back to lstmlab 0.1: rows per epoch, no seed derivation, numerics version or provenance columns.
            try db.execute(sql: """
                CREATE TABLE epoch (run_id INTEGER NOT NULL, epoch INTEGER NOT NULL, train_rmse REAL NOT NULL,
                    test_rmse REAL NOT NULL, loss REAL NOT NULL, PRIMARY KEY (run_id, epoch)) WITHOUT ROWID;
                CREATE VIEW curve AS SELECT * FROM epoch;
                """)
            for id in [Int64(1), 2] {
                for record in curves[id] ?? [] where !(id == 1 && record.epoch == 3) {
                    // Run 1 misses epoch 3: the curve migration cannot take it.
                    try db.execute(sql: "INSERT INTO epoch VALUES (?, ?, ?, ?, ?)",
                                   arguments: [id, record.epoch, record.trainRMSE, record.testRMSE, record.loss])
                }
            }
            try db.execute(sql: """
                DROP TABLE run_curve;
                ALTER TABLE run DROP COLUMN numerics_version; ALTER TABLE run DROP COLUMN host;
                ALTER TABLE run DROP COLUMN git_commit; ALTER TABLE run DROP COLUMN product_version;
                ALTER TABLE run DROP COLUMN engine; ALTER TABLE experiment DROP COLUMN seed_derivation;
                ALTER TABLE experiment DROP COLUMN experiment_file;
                DELETE FROM grdb_migrations WHERE identifier NOT LIKE 'v1:%';
                """)
        }
        try queue.close()
        let pending = try ArchiveStore.pendingMigrations(path: archive)
        #expect(pending.count == 4)
        let result = try TestSupport.runLSTMLab(["upgrade", "--archive", archive])
        #expect(result.status == 1 && result.stderr.contains("gaps in its epochs"), "\(result.stderr)")
        // Nothing of it applied: the first migration (a new column) is not there either.
        #expect(try ArchiveStore.pendingMigrations(path: archive) == pending)
        let columns = try DatabaseQueue(path: archive).read { db in try db.columns(in: "experiment").map(\.name) }
        #expect(!columns.contains("seed_derivation"))
        #expect(try DatabaseQueue(path: archive).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM epoch") } == 9)
    }

    /// A long run into a fresh archive as a child process; started, not waited for.
    static func longRun(_ archive: String) throws -> (process: Process, errors: Pipe) {
        let process = Process()
        process.executableURL = try TestSupport.lstmlabExecutable()
        process.arguments = ["run", "baseline", "--epochs", "200000", "--repeats", "2", "--jobs", "1", "--quiet", "--archive", archive]
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        return (process, errors)
    }

    @Test("SIGTERM: the runs in flight stop 10 s after the first signal, or at once after a second; they are interrupted, and the exit status says so")
    func terminationStopsRunsInFlight() throws {
        for signals in [1, 2] {
            let archive = TestSupport.temporaryArchive()
            let (process, errors) = try Self.longRun(archive)
            // Until the runs are recorded as running, and a little more: past the set-up of their first epoch.
            for _ in 0..<200 {
                if (try? Lab.reading(archive: archive).store.runs(status: .running).count) == 2 { break }
                Thread.sleep(forTimeInterval: 0.05)
            }
            Thread.sleep(forTimeInterval: 3)
            kill(process.processIdentifier, SIGTERM)
            // The second signal once lstmlab has said it took the first (on a busy machine it may take a while).
            var said = Data()
            let deadline = Date().addingTimeInterval(30)
            while signals == 2, !String(decoding: said, as: UTF8.self).contains("interrupted: finishing"), Date() < deadline {
                said.append(errors.fileHandleForReading.availableData)
            }
            if signals == 2 { kill(process.processIdentifier, SIGTERM) }
            let start = Date()
            let text = String(decoding: said + errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            let elapsed = Date().timeIntervalSince(start)
            #expect(process.terminationStatus == 1, "\(text)")
            #expect(text.contains("Error: interrupted"), "\(text)")
            if signals == 1 {
                #expect(elapsed > 8 && elapsed < 20, "stopped \(elapsed) s after one SIGTERM")
            } else {
                #expect(elapsed < 5, "stopped \(elapsed) s after two SIGTERMs")
            }
            let statuses = try Lab.reading(archive: archive).store.runs().map(\.status)
            #expect(statuses == [.interrupted, .interrupted])
        }
    }

    @Test("Runs abandoned in flight are interrupted, and the next run redoes them: the archive is then the one trained without a stop")
    func abandonedRunsAreRedone() throws {
        let spec = Preset.input.experiment(seed: 3, repeats: 2, training: TrainingSettings(profile: .keras2, epochs: 600))
        let plan = try ExperimentPlan(spec: spec, series: .shampooSales(), snapshotInterval: 100)
        let stopped = TestSupport.temporaryArchive()
        let lab = try Lab.writing(archive: stopped)
        let epochsSeen = Atomic<Int>(0)
        let outcome = try lab.run(plan, jobs: 1, shouldAbandon: { epochsSeen.load(ordering: .relaxed) > 0 },
                                  onEpochs: { _ = epochsSeen.add($0, ordering: .relaxed) })
        #expect(outcome.interrupted && outcome.trained.isEmpty)
        #expect(try lab.store.runs().allSatisfy { $0.status == .interrupted })
        let again = try lab.run(plan, jobs: 1)
        #expect(!again.interrupted && again.trained.count == spec.runs.count)
        let whole = TestSupport.temporaryArchive()
        _ = try Lab.writing(archive: whole).run(plan, jobs: 2)
        #expect(try Lab.compare(archive: stopped, with: whole).firstDifference == nil)
    }

    @Test("run's exit status says whether the experiment is complete: 3 while another process trains some of its runs")
    func exitStatusSaysComplete() throws {
        let archive = TestSupport.temporaryArchive()
        try Self.lstmlab(["run", "baseline", "--epochs", "3", "--repeats", "1", "--quiet", "--archive", archive])
        // Repeat 2 held by a live process on this host (this test process).
        let spec = Preset.baseline.experiment(seed: ExperimentDefaults.seed, repeats: 2, training: TrainingSettings(profile: .keras2, epochs: 3))
        let task = spec.runs[1]
        let owner = "\(ProcessInfo.processInfo.hostName):\(getpid()):\(try #require(processStartTime(getpid())))"
        let queue = try DatabaseQueue(path: archive)
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO run (experiment_id, configuration_label, repeat_index, run_seed, configuration_json, status, owner,
                                 started_at, numerics_version)
                VALUES (1, ?, 1, ?, ?, 'running', ?, '2026-01-01T00:00:00.000Z', 2)
                """, arguments: [task.configuration.label, Int64(bitPattern: task.runSeed), try canonicalJSON(task.configuration), owner])
        }
        try queue.close()
        let held = try TestSupport.runLSTMLab(["run", "baseline", "--epochs", "3", "--repeats", "2", "--quiet", "--archive", archive])
        #expect(held.status == 3 && held.stderr.contains("incomplete: 1 run(s) of baseline-keras2 are being trained by another process"),
                "\(held.stderr)")
        let complete = try TestSupport.runLSTMLab(["run", "baseline", "--epochs", "3", "--repeats", "1", "--quiet", "--archive", archive])
        #expect(complete.status == 0, "\(complete.stderr)")
    }

    // MARK: 7. Smaller disagreements

    @Test("--archive 'file:…?…' is a file of that name, never an SQLite URI")
    func archiveNamesAreNotURIs() throws {
        let folder = try TestSupport.temporaryDirectory()
        let name = "file:x.sqlite?mode=memory"
        let run = try TestSupport.runProcess(try TestSupport.lstmlabExecutable(),
                                             ["run", "baseline", "--epochs", "2", "--repeats", "1", "--quiet", "--archive", name], in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path))
        let runs = try TestSupport.runProcess(try TestSupport.lstmlabExecutable(), ["runs", "--archive", name], in: folder)
        #expect(runs.status == 0 && runs.stdout.contains("finished"), "\(runs.stderr)")
        let check = try TestSupport.runProcess(try TestSupport.lstmlabExecutable(), ["check", "--archive", name], in: folder)
        #expect(check.status == 0, "\(check.stdout)")
    }

    @Test("A run whose writer died is interrupted in runs, show and every answer of serve alike")
    func deadWritersRunsAreInterruptedEverywhere() async throws {
        let archive = TestSupport.temporaryArchive()
        try Self.lstmlab(["run", "baseline", "--epochs", "2", "--repeats", "2", "--quiet", "--archive", archive])
        let queue = try DatabaseQueue(path: archive)
        try await queue.write { db in
            // A process of this host that does not exist.
            try db.execute(sql: """
                UPDATE run SET status = 'running', owner = ?, final_train_rmse = NULL, final_test_rmse = NULL,
                checkpoint_path = NULL, checkpoint_sha256 = NULL, ended_at = NULL WHERE id = 2
                """, arguments: ["\(ProcessInfo.processInfo.hostName):999999999:1"])
            try db.execute(sql: "DELETE FROM run_curve WHERE run_id = 2; DELETE FROM forecast WHERE run_id = 2")
        }
        try queue.close()
        let runs = try Self.lstmlab(["runs", "--archive", archive])
        #expect(runs.stdout.split(separator: "\n")[2].split(separator: "\t")[5] == "interrupted", "\(runs.stdout)")
        #expect(try Self.lstmlab(["runs", "--status", "running", "--archive", archive]).stdout.split(separator: "\n").count == 1)
        #expect(try Self.lstmlab(["runs", "--status", "interrupted", "--archive", archive]).stdout.split(separator: "\n").count == 2)
        #expect(try Self.lstmlab(["show", "2", "--archive", archive]).stdout.contains("status      interrupted"))
        let server = try ArchiveServer(lab: try Lab.reading(archive: archive))
        let bodies = try await Application(router: server.router()).test(.router) { client in
            var bodies: [String] = []
            for uri in ["/api/experiments/1", "/api/experiments/1/runs", "/api/runs/2"] {
                let response = try await client.execute(uri: uri, method: .get)
                bodies.append(String(decoding: Array(response.body.readableBytesView), as: UTF8.self))
            }
            return bodies
        }
        #expect(bodies[0].contains("\"running\":0") && bodies[0].contains("\"interrupted\":1"), "\(bodies[0])")
        #expect(bodies[1].contains("\"status\":\"interrupted\"") && !bodies[1].contains("\"status\":\"running\""), "\(bodies[1])")
        #expect(bodies[2].contains("\"status\":\"interrupted\""), "\(bodies[2])")
    }

    @Test("diff takes the same series under another name or file as the same, as run and merge do")
    func diffComparesSeriesByValue() throws {
        let folder = try TestSupport.temporaryDirectory()
        let shampoo = Series.shampooSales()
        let data = folder.appendingPathComponent("copy-of-shampoo.csv").path
        try ("Month,Sales\n" + zip(shampoo.labels, shampoo.values).map { "\($0),\($1)" }.joined(separator: "\n") + "\n")
            .write(toFile: data, atomically: true, encoding: .utf8)
        let shipped = folder.appendingPathComponent("shipped.sqlite").path
        let copied = folder.appendingPathComponent("copied.sqlite").path
        try Self.lstmlab(["run", "baseline", "--epochs", "3", "--repeats", "2", "--quiet", "--archive", shipped])
        try Self.lstmlab(["run", "baseline", "--epochs", "3", "--repeats", "2", "--quiet", "--data", data, "--archive", copied])
        let diff = try TestSupport.runLSTMLab(["diff", shipped, copied])
        #expect(diff.status == 0 && diff.stdout.contains("identical"), "\(diff.stdout) \(diff.stderr)")
        // run takes it for the same experiment too.
        try Self.lstmlab(["run", "baseline", "--epochs", "3", "--repeats", "2", "--quiet", "--data", data, "--archive", shipped])
    }

    @Test("forecast --help names the run's own series as the default; a --data series of other values is named as not the run's")
    func forecastNamesItsSeries() throws {
        let help = LSTMLab.helpMessage(for: ForecastCommand.self, columns: 200)
        #expect(help.contains("default: the series the run was trained on"), "\(help)")
        #expect(!help.contains("shipped shampoo sales"))
        let archive = TestSupport.temporaryArchive()
        try Self.lstmlab(["run", "baseline", "--epochs", "3", "--repeats", "1", "--quiet", "--archive", archive])
        let own = try Self.lstmlab(["forecast", "1", "--archive", archive])
        #expect(own.stdout.hasPrefix("run 1, weights after epoch 3, series shampoo-sales\n"), "\(own.stdout)")
        var csv = "Month,Sales\n"
        for index in 0..<30 { csv += "m\(index),\(300 + index)\n" }
        let other = try TestSupport.temporaryFile(csv, name: "other")
        let table = try Self.lstmlab(["forecast", "1", "--data", other, "--archive", archive])
        #expect(table.stdout.contains("not the series run 1 was trained on (shampoo-sales)"), "\(table.stdout)")
        let csvOutput = try Self.lstmlab(["forecast", "1", "--data", other, "--format", "csv", "--archive", archive])
        #expect(csvOutput.stderr.contains("note: forecasting series other:Sales, not the series run 1 was trained on"), "\(csvOutput.stderr)")
    }

    @Test("slurm refuses more shards than its merge line can carry, and a merged archive the merge could not take, before submitting")
    func slurmChecksBeforeSubmitting() throws {
        let folder = try TestSupport.temporaryDirectory()
        let archive = folder.appendingPathComponent("grid.sqlite").path
        let many = try TestSupport.runLSTMLab(["slurm", "baseline", "--shards", "100000", "--epochs", "3", "--repeats", "1",
                                               "--archive", archive, "--dry-run"])
        #expect(many.status == 1 && many.stderr.contains("use at most") && many.stderr.split(separator: "\n").count == 1, "\(many.stderr)")
        let fits = try TestSupport.runLSTMLab(["slurm", "baseline", "--shards", "1000", "--epochs", "3", "--repeats", "1",
                                               "--archive", archive, "--dry-run"])
        #expect(fits.status == 0, "\(fits.stderr)")
        // The merged archive already holds baseline-keras2 with other settings: refused now, not after the array ran.
        try Self.lstmlab(["run", "baseline", "--epochs", "4", "--repeats", "1", "--quiet", "--archive", archive])
        let mismatch = try TestSupport.runLSTMLab(["slurm", "baseline", "--shards", "2", "--epochs", "3", "--repeats", "1",
                                                   "--archive", archive])
        #expect(mismatch.status == 1 && mismatch.stderr.contains("already exists with different settings"), "\(mismatch.stderr)")
        #expect(!FileManager.default.fileExists(atPath: archive + ".shards"))
        let foreign = folder.appendingPathComponent("foreign.sqlite").path
        try DatabaseQueue(path: foreign).write { db in try db.execute(sql: "CREATE TABLE t (x)") }
        let notOurs = try TestSupport.runLSTMLab(["slurm", "baseline", "--shards", "2", "--epochs", "3", "--repeats", "1",
                                                  "--archive", foreign])
        #expect(notOurs.status == 1 && notOurs.stderr.contains("not an lstmlab archive"), "\(notOurs.stderr)")
    }
}

extension Unprivileged {
    /// How to start the copy of `lstmlab` that `run` put in `folder` as the unprivileged user: the program and the
    /// arguments before lstmlab's own.
    static func command(in folder: URL) -> (executable: URL, arguments: [String]) {
        let binary = folder.appendingPathComponent("lstmlab")
        guard getuid() == 0, let setpriv else { return (binary, []) }
        return (URL(fileURLWithPath: setpriv), ["--reuid=\(nobody)", "--regid=\(nobody)", "--clear-groups", "--", binary.path])
    }
}
