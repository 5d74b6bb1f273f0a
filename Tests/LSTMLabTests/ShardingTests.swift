import Foundation
import GRDB
import Testing

@testable import Archive
import Experiment
@testable import Lab
@testable import LSTMLabCLI
import NeuralNetwork
import TimeSeries

/// Shards, merge and diff: a sharded experiment merged equals the same experiment trained in one process.
@Suite("Shards, merge and diff")
struct ShardingTests {
    /// Two configurations × 3 repeats of 6 epochs.
    static let spec = ExperimentSpec(
        name: "small", preset: "custom", seed: 11, repeats: 3, training: TrainingSettings(profile: .keras2, epochs: 6),
        configurations: [.baseline, .single(.kernel, L1L2(l1: 0.01, l2: 0))])
    static let other = ExperimentSpec(
        name: "other", preset: "custom", seed: 5, repeats: 2, training: TrainingSettings(profile: .keras3, epochs: 4),
        configurations: [.single(.bias, L1L2(l1: 0, l2: 0.01))])

    /// Trains `specs` (or shard `shard` of each) into a fresh archive in `folder`; returns its path.
    static func train(_ specs: [ExperimentSpec], shard: Shard? = nil, in folder: URL, name: String) throws -> String {
        let path = folder.appendingPathComponent(name).path
        let lab = try Lab.writing(archive: path)
        for spec in specs {
            _ = try lab.run(try ExperimentPlan(spec: spec, series: .shampooSales(), snapshotInterval: 2), jobs: 2, shard: shard)
        }
        return path
    }

    static func shards(_ count: Int, in folder: URL) throws -> [String] {
        try (0..<count).map { try train([spec, other], shard: try Shard(index: $0, count: count), in: folder, name: "shard-\($0).sqlite") }
    }

    static func runCount(_ path: String) throws -> Int { try Lab.reading(archive: path).store.runs().count }

    @Test("Every run is in exactly one shard, shards differ by at most one run, for any shard count")
    func partition() throws {
        var spec = Self.spec
        spec.repeats = 7
        let runs = spec.runs
        for count in 1...runs.count + 2 {
            let shards = try (0..<count).map { try Shard(index: $0, count: count).runs(of: spec) }
            let all: [RunTask] = shards.flatMap { $0 }
            #expect(all.count == runs.count && Set(all) == Set(runs), "N = \(count)")
            let sizes = shards.map(\.count)
            #expect(sizes.max()! - sizes.min()! <= 1, "N = \(count): \(sizes)")
            // A run's seed is the same whatever the shard count.
            for shard in shards { for task in shard { #expect(runs.contains(task)) } }
        }
        #expect(try Shard(parsing: "3/8") == Shard(index: 3, count: 8))
        for bad in ["8/8", "-1/4", "1/0", "1", "a/b", "1/4/2", "", "+1/2", " 1/2", "1/٣"] {
            #expect(throws: ExperimentError.self, "\(bad)") { try Shard(parsing: bad) }
        }
    }

    @Test("Shards merged equal the experiment trained in one process, bit for bit, and the merged archive is sound")
    func mergedEqualsSingle() throws {
        let folder = try TestSupport.temporaryDirectory()
        let single = try Self.train([Self.spec, Self.other], in: folder, name: "single.sqlite")
        let shards = try Self.shards(3, in: folder)
        #expect(try shards.map(Self.runCount).reduce(0, +) == Self.runCount(single))
        let merged = folder.appendingPathComponent("merged.sqlite").path
        let lab = try Lab.writing(archive: merged)
        for shard in shards {
            let report = try lab.merge(shard: shard)
            let count = try Self.runCount(shard)
            #expect(report.alreadyThere == 0 && report.unfinished.isEmpty && report.added == count)
        }
        #expect(try lab.completeness().allSatisfy(\.isComplete))
        let comparison = try Lab.compare(archive: single, with: merged)
        #expect(comparison.firstDifference == nil)
        #expect(comparison.runs == 8 && comparison.checkpoints == 8)
        // The copies name their new run ids; every cross-check of the merged archive holds, and its runs reproduce.
        #expect(try Lab.reading(archive: merged).check().isSound)
        for run in try lab.finishedRuns(ofExperiment: "small") { #expect(try lab.reproduce(run) == .identical) }
        // Each run keeps the provenance it was trained with.
        for run in try lab.store.runs() {
            #expect(!run.host.isEmpty && run.engine.hasPrefix("numerics \(numericsVersion), "))
        }
    }

    @Test("Merging a shard again adds nothing and changes nothing")
    func mergeIsIdempotent() throws {
        let folder = try TestSupport.temporaryDirectory()
        let shards = try Self.shards(2, in: folder)
        let merged = folder.appendingPathComponent("merged.sqlite").path
        let lab = try Lab.writing(archive: merged)
        for shard in shards { _ = try lab.merge(shard: shard) }
        let before = try lab.store.runs()
        let files = try FileManager.default.subpathsOfDirectory(atPath: lab.store.checkpointsDirectory).sorted()
        for shard in shards + shards {
            let report = try lab.merge(shard: shard)
            let count = try Self.runCount(shard)
            #expect(report.added == 0 && report.replaced == 0 && report.alreadyThere == count)
        }
        #expect(try lab.store.runs() == before)
        #expect(try FileManager.default.subpathsOfDirectory(atPath: lab.store.checkpointsDirectory).sorted() == files)
    }

    @Test("Merging an archive into itself is refused")
    func mergeIntoItself() throws {
        let folder = try TestSupport.temporaryDirectory()
        let path = try Self.train([Self.other], in: folder, name: "a.sqlite")
        #expect(throws: ArchiveError.self) { try Lab.writing(archive: path).merge(shard: folder.path + "/./a.sqlite") }
    }

    @Test("The same run with different results in two archives is refused, naming both, and nothing of it merges")
    func conflictsAreRefused() throws {
        let folder = try TestSupport.temporaryDirectory()
        let shards = try Self.shards(2, in: folder)
        let merged = folder.appendingPathComponent("merged.sqlite").path
        let lab = try Lab.writing(archive: merged)
        _ = try lab.merge(shard: shards[0])
        // A copy of shard 0 whose last run has one different bit in its test RMSE at epoch 3, and which also holds
        // shard 1's runs: refused whole.
        let altered = folder.appendingPathComponent("altered.sqlite").path
        let alteredLab = try Lab.writing(archive: altered)
        _ = try alteredLab.merge(shard: shards[0])
        _ = try alteredLab.merge(shard: shards[1])
        let victim = try #require(try alteredLab.store.runs().first { $0.repeatIndex == 0 && $0.configurationLabel == Self.spec.configurations[0].label })
        try alteredLab.store.write { db in
            var test = try #require(try Data.fetchOne(db, sql: "SELECT test_rmse FROM run_curve WHERE run_id = ?", arguments: [victim.id!]))
            test[16] ^= 1  // the lowest bit of epoch 3's value
            try db.execute(sql: "UPDATE run_curve SET test_rmse = ? WHERE run_id = ?", arguments: [test, victim.id!])
        }
        let runsBefore = try lab.store.runs()
        do {
            _ = try lab.merge(shard: altered)
            Issue.record("a conflicting merge was accepted")
        } catch let error as ArchiveError {
            let message = error.description
            #expect(message.contains("conflict") && message.contains(altered) && message.contains(merged))
            #expect(message.contains("test RMSE at epoch 3"), "\(message)")
        }
        #expect(try lab.store.runs() == runsBefore)
        // diff finds the altered bit against the experiment trained in one process.
        let single = try Self.train([Self.spec, Self.other], in: folder, name: "single.sqlite")
        let difference = try #require(try Lab.compare(archive: single, with: altered).firstDifference)
        #expect(difference.contains("small \(Self.spec.configurations[0].label) repeat 1") && difference.contains("test RMSE at epoch 3"), "\(difference)")
    }

    @Test("Unfinished runs of a shard are reported, not merged; a later merge of the finished shard completes the set")
    func unfinishedRunsAreReported() throws {
        let folder = try TestSupport.temporaryDirectory()
        let shard = try Self.train([Self.other], in: folder, name: "shard.sqlite")
        let shardLab = try Lab.writing(archive: shard)
        let interrupted = try #require(try shardLab.store.runs().first)
        try shardLab.store.write { db in
            try db.execute(sql: "DELETE FROM run_curve WHERE run_id = ?; DELETE FROM forecast WHERE run_id = ?",
                           arguments: [interrupted.id!, interrupted.id!])
            try db.execute(sql: """
                UPDATE run SET status = 'interrupted', checkpoint_path = NULL, checkpoint_sha256 = NULL,
                final_test_rmse = NULL, final_train_rmse = NULL WHERE id = ?
                """, arguments: [interrupted.id!])
        }
        let merged = folder.appendingPathComponent("merged.sqlite").path
        let lab = try Lab.writing(archive: merged)
        let report = try lab.merge(shard: shard)
        #expect(report.added == 1 && report.unfinished.count == 1)
        #expect(try lab.completeness() == [ExperimentCompleteness(experiment: "other", ended: 1, expected: 2)])
        // The shard's task is run again: it redoes the interrupted run; merging again adds just that one.
        _ = try shardLab.run(try ExperimentPlan(spec: Self.other, series: .shampooSales(), snapshotInterval: 2), jobs: 1)
        let again = try lab.merge(shard: shard)
        #expect(again.added == 1 && again.alreadyThere == 1 && again.unfinished.isEmpty)
        #expect(try lab.completeness().allSatisfy(\.isComplete))
        #expect(try Lab.compare(archive: merged, with: try Self.train([Self.other], in: folder, name: "single.sqlite"))
            .firstDifference == nil)
    }

    @Test("A shard whose checkpoint does not match its SHA-256 is refused before anything is written")
    func damagedShardCheckpoint() throws {
        let folder = try TestSupport.temporaryDirectory()
        let shard = try Self.train([Self.other], in: folder, name: "shard.sqlite")
        let run = try #require(try Lab.reading(archive: shard).store.runs().last)
        let path = try #require(Lab.reading(archive: shard).store.checkpointState(of: run)?.path)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count - 9] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: path))
        let merged = folder.appendingPathComponent("merged.sqlite").path
        let lab = try Lab.writing(archive: merged)
        #expect(throws: ArchiveError.checkpointHashMismatch(path: path)) { try lab.merge(shard: shard) }
        #expect(try lab.store.runs().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: lab.store.checkpointsDirectory + "/other"))
    }

    @Test("An experiment of the same name with other settings is refused, naming both archives")
    func mismatchedExperiments() throws {
        let folder = try TestSupport.temporaryDirectory()
        var changed = Self.other
        changed.training.epochs = 5
        let a = try Self.train([Self.other], in: folder, name: "a.sqlite")
        let b = try Self.train([changed], in: folder, name: "b.sqlite")
        let lab = try Lab.writing(archive: a)
        do {
            _ = try lab.merge(shard: b)
            Issue.record("a mismatched experiment was merged")
        } catch {
            #expect("\(error)".contains("experiment other of \(b) differs from the one in \(a): epochs 4 in \(a), 5 in \(b)"), "\(error)")
        }
        #expect(try Lab.compare(archive: a, with: b).firstDifference == "experiment other has different specifications")
    }

    @Test("A task retried after its machine died takes over the runs it left running there (--take-over)")
    func takeOverRunsOfADeadHost() throws {
        let folder = try TestSupport.temporaryDirectory()
        let shard = try Self.train([Self.other], in: folder, name: "shard.sqlite")
        let lab = try Lab.writing(archive: shard)
        // As a first attempt killed with its node leaves them: running, owned by a process on another host.
        try lab.store.write { db in
            try db.execute(sql: "DELETE FROM run_curve; DELETE FROM forecast")
            try db.execute(sql: """
                UPDATE run SET status = 'running', owner = 'node17:4242:123456', checkpoint_path = NULL,
                checkpoint_sha256 = NULL, final_test_rmse = NULL, final_train_rmse = NULL, ended_at = NULL
                """)
        }
        let plan = try ExperimentPlan(spec: Self.other, series: .shampooSales(), snapshotInterval: 2)
        let cautious = try lab.run(plan, jobs: 1)
        #expect(cautious.heldElsewhere == 2 && cautious.trained.isEmpty, "another host's runs count as alive by default")
        let retried = try lab.run(plan, jobs: 1, takingOver: true)
        #expect(retried.trained.count == 2 && retried.heldElsewhere == 0)
        #expect(try Lab.compare(archive: shard, with: try Self.train([Self.other], in: folder, name: "single.sqlite"))
            .firstDifference == nil)
        #expect(try lab.check().isSound)
    }

    @Test("A run with the same curve but other checkpoint contents (other snapshot epochs) is a conflict, not already there")
    func checkpointsTakePartInConflicts() throws {
        let folder = try TestSupport.temporaryDirectory()
        let a = try Self.train([Self.other], in: folder, name: "a.sqlite")
        let b = folder.appendingPathComponent("b.sqlite").path
        _ = try Lab.writing(archive: b).run(try ExperimentPlan(spec: Self.other, series: .shampooSales(), snapshotInterval: 3), jobs: 1)
        do {
            _ = try Lab.writing(archive: a).merge(shard: b)
            Issue.record("a run with other checkpoint contents was taken for the same")
        } catch {
            #expect("\(error)".contains("checkpoint snapshot epochs differ"), "\(error)")
        }
    }

    @Test("A merge cleans the checkpoint files a killed merge left (ids no row ever had); two merges may create one archive at once")
    func mergeCrashResidueAndConcurrentCreation() throws {
        let folder = try TestSupport.temporaryDirectory()
        let shards = try Self.shards(2, in: folder)
        let merged = folder.appendingPathComponent("merged.sqlite").path
        let lab = try Lab.writing(archive: merged)
        _ = try lab.merge(shard: shards[0])
        let orphan = lab.store.checkpointsDirectory + "/other/1000.h5"
        try Data("left by a merge killed before it committed".utf8).write(to: URL(fileURLWithPath: orphan))
        #expect(try !lab.check().isSound)
        _ = try lab.merge(shard: shards[1])
        #expect(!FileManager.default.fileExists(atPath: orphan))
        #expect(try lab.check().isSound)
        // Two processes merging into an archive neither has created yet: both succeed, the runs are there once.
        for attempt in 0..<3 {
            let target = folder.appendingPathComponent("race-\(attempt).sqlite").path
            let processes = try shards.map { shard -> Process in
                let process = Process()
                process.executableURL = try TestSupport.lstmlabExecutable()
                process.arguments = ["merge", shard, "--into", target]
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                return process
            }
            for process in processes { process.waitUntilExit() }
            #expect(processes.map(\.terminationStatus).sorted() == [0, 1] || processes.allSatisfy { $0.terminationStatus == 0 },
                    "a merge failed on the race: \(processes.map(\.terminationStatus))")
            #expect(try Lab.compare(archive: merged, with: target).firstDifference == nil)
        }
    }

    @Test("merge and diff on the command line: exit statuses and one-line messages")
    func commandLine() throws {
        let folder = try TestSupport.temporaryDirectory()
        let shards = try Self.shards(2, in: folder)
        let merged = folder.appendingPathComponent("merged.sqlite").path
        let partial = try TestSupport.runLSTMLab(["merge", shards[0], "--into", merged])
        #expect(partial.status == 1 && partial.stdout.contains("small: "), "\(partial)")
        #expect(partial.stderr.contains("still miss runs"))
        let complete = try TestSupport.runLSTMLab(["merge", shards[1], shards[0], "--into", merged])
        #expect(complete.status == 0 && complete.stdout.contains("every experiment complete"), "\(complete)")
        let single = try Self.train([Self.spec, Self.other], in: folder, name: "single.sqlite")
        let same = try TestSupport.runLSTMLab(["diff", single, merged])
        #expect(same.status == 0 && same.stdout.contains("identical: 2 experiment(s), 8 run(s), 8 checkpoint(s)"), "\(same)")
        let differ = try TestSupport.runLSTMLab(["diff", single, shards[0]])
        #expect(differ.status == 1 && differ.stderr.contains("only in \(single)"), "\(differ)")
        let missing = try TestSupport.runLSTMLab(["merge", folder.path + "/none.sqlite", "--into", merged])
        #expect(missing.status == 1 && missing.stdout.contains("not merged: no archive at") && !missing.stdout.contains("--archive"),
                "\(missing)")
        let nothing = try TestSupport.runLSTMLab(["merge", folder.path + "/none.sqlite", "--into", folder.path + "/new.sqlite"])
        #expect(nothing.status == 1 && nothing.stderr.contains("nothing to merge: no archive at"), "\(nothing)")
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/new.sqlite"), "no archive is created for nothing")
        // diff: 1 means "they differ", 2 "cannot compare".
        let trouble = try TestSupport.runLSTMLab(["diff", single, folder.path + "/none.sqlite"])
        #expect(trouble.status == 2 && trouble.stderr.contains("no archive at") && !trouble.stderr.contains("--archive"), "\(trouble)")
        // study --shard trains each experiment's shard and writes no notebook; the shards merged complete the study.
        for index in 0..<2 {
            let study = try TestSupport.runLSTMLab(["study", "--presets", "baseline,bias", "--profiles", "keras2", "--epochs", "3",
                                                    "--repeats", "2", "--shard", "\(index)/2", "--archive", folder.path + "/study-\(index).sqlite",
                                                    "--notebooks", folder.path + "/notebooks"])
            #expect(study.status == 0 && study.stdout.contains("shard \(index)/2 of every experiment archived"), "\(study)")
        }
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/notebooks"))
        let study = try TestSupport.runLSTMLab(["merge", folder.path + "/study-0.sqlite", folder.path + "/study-1.sqlite",
                                                "--into", folder.path + "/study.sqlite"])
        #expect(study.status == 0 && study.stdout.contains("every experiment complete"), "\(study)")
        #expect(try Lab.reading(archive: folder.path + "/study.sqlite").store.runs().count == 2 * (Preset.baseline.configurations.count + Preset.bias.configurations.count))
        #expect(TestSupport.inProcessError(["run"])?.contains("name a preset (see `lstmlab presets`)") == true)
        #expect(TestSupport.inProcessError(["slurm", "--shards", "2", "--dry-run"])?.contains("name a preset") == true)
        #expect(TestSupport.inProcessError(["run", "baseline", "--shard", "4/4"])?.contains("shard '4/4' is not allowed") == true)
    }

    @Test("slurm --dry-run writes nothing and prints the array and merge scripts with every training option")
    func slurmDryRun() throws {
        let folder = try TestSupport.temporaryDirectory()
        let archive = folder.appendingPathComponent("study.sqlite").path
        let result = try TestSupport.runLSTMLab(["slurm", "baseline", "bias", "--shards", "4", "--epochs", "30", "--repeats", "5",
                                                 "--profile", "keras3", "--cpus-per-task", "2", "--time", "1:00:00",
                                                 "--archive", archive, "--dry-run"])
        #expect(result.status == 0, "\(result)")
        #expect(!FileManager.default.fileExists(atPath: archive + ".shards"))
        let text = result.stdout
        #expect(text.contains("#SBATCH --array=0-3") && text.contains("#SBATCH --cpus-per-task=2") && text.contains("#SBATCH --time=1:00:00"))
        #expect(text.contains(" run baseline --profile keras3 --seed 2017 --repeats 5 --epochs 30 --checkpoint-every 100 --shard \"$shard/4\""))
        #expect(text.contains(" run bias --profile keras3"))
        #expect(text.contains("--jobs \"${SLURM_CPUS_PER_TASK:-1}\""))
        #expect(text.contains(" merge \(archive).shards/shard-0.sqlite \(archive).shards/shard-1.sqlite \(archive).shards/shard-2.sqlite \(archive).shards/shard-3.sqlite --into \(archive)"))
        #expect(text.contains("sbatch --parsable --dependency=afterok:<array job id> --kill-on-invalid-dep=yes"))
        let retry = try TestSupport.runLSTMLab(["slurm", "baseline", "--shards", "4", "--tasks", "2", "--archive", archive, "--dry-run"])
        #expect(retry.stdout.contains("sbatch --parsable --array=2 "), "\(retry)")
        for (arguments, message) in [
            (["--shards", "0"], "shard count '0' is not allowed"), (["--shards", "4", "--time", "soon"], "--time 'soon' is not allowed"),
            (["--shards", "4", "--tasks", "4"], "--tasks takes"),
            (["--shards", "4", "--tasks", "+1"], "--tasks takes"), (["--shards", "4", "--time", "٣"], "--time '٣' is not allowed"),
            (["--shards", "4", "--partition", "a b"], "--partition 'a b' is not allowed"),
            (["--shards", "4", "--cpus-per-task", "0"], "--cpus-per-task must be 1 to 1024, got 0"),
        ] {
            let error = TestSupport.inProcessError(["slurm", "baseline", "--archive", archive, "--dry-run"] + arguments)
            #expect(error?.contains(message) == true, "\(arguments): \(error ?? "no error")")
        }
        // --jobs follows --cpus-per-task, and --shard the array task: slurm takes neither.
        for option in [["--jobs", "2"], ["--shard", "0/2"]] {
            let refused = try TestSupport.runLSTMLab(["slurm", "baseline", "--shards", "2", "--dry-run"] + option)
            #expect(refused.status != 0 && refused.stderr.contains("Unknown option '\(option[0])'"), "\(refused)")
        }
        // Paths a batch script cannot carry safely: a line break would end the #SBATCH lines and start a command.
        for bad in ["a\ntouch INJECTED\n.sqlite", "100%j.sqlite", "back\\slash.sqlite", "quote'.sqlite"] {
            let error = TestSupport.inProcessError(["slurm", "baseline", "--shards", "2", "--archive", folder.path + "/" + bad, "--dry-run"])
            #expect(error?.contains("which a Slurm batch script cannot carry") == true, "\(bad): \(error ?? "no error")")
        }
        #expect(TestSupport.inProcessError(["slurm", "baseline", "--shards", "2", "--time", "UNLIMITED", "--archive", archive, "--dry-run"]) == nil)
    }
}
