import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Archive
import Experiment
@testable import Lab
import NeuralNetwork
@testable import Server
import TimeSeries

// MARK: - Fixtures

/// The archives every tampering starts from, written once by the `lstmlab` binary (so that each is closed, its log
/// folded in): `input-keras2`, 4 configurations × 2 repeats × 6 epochs, snapshots every 3 epochs, seed 11; and two
/// others to copy checkpoints from: the same experiment from seed 12, and the same experiment on a series one of
/// whose months differs.
struct TamperFixtures: Sendable {
    static let experiment = "input-keras2"
    static let labels = Preset.studyPenalties.map { ConfigurationSpec.single(.kernel, $0).label }
    let template: String
    let otherSeed: String
    let otherSeries: String

    private static let built = Result { try TamperFixtures() }
    static func shared() throws -> TamperFixtures { try built.get() }

    private init() throws {
        let folder = try TestSupport.temporaryDirectory()
        let series = folder.appendingPathComponent("sales.csv").path
        var csv = "Month,Sales\n"
        let shampoo = Series.shampooSales()
        for (index, (label, value)) in zip(shampoo.labels, shampoo.values).enumerated() {
            csv += "\(label),\(index == 20 ? value + 1 : value)\n"
        }
        try csv.write(toFile: series, atomically: true, encoding: .utf8)
        template = folder.appendingPathComponent("template.sqlite").path
        otherSeed = folder.appendingPathComponent("other-seed.sqlite").path
        otherSeries = folder.appendingPathComponent("other-series.sqlite").path
        for (archive, extra) in [(template, ["--seed", "11"]), (otherSeed, ["--seed", "12"]),
                                 (otherSeries, ["--seed", "11", "--data", series])] {
            let result = try TestSupport.runLSTMLab(["run", "input", "--epochs", "6", "--repeats", "2", "--checkpoint-every", "3",
                                                     "--jobs", "1", "--quiet", "--archive", archive] + extra)
            guard result.status == 0 else { throw FixtureFailure("\(archive): \(result.stderr)") }
        }
    }
}

/// A fresh copy of the template archive (database and checkpoints), and the means to tamper with it.
struct Tampered {
    let path: String
    let queue: DatabaseQueue

    init() throws {
        let fixtures = try TamperFixtures.shared()
        path = try TestSupport.temporaryDirectory().appendingPathComponent("archive.sqlite").path
        try FileManager.default.copyItem(atPath: fixtures.template, toPath: path)
        try FileManager.default.copyItem(atPath: fixtures.template + ".checkpoints", toPath: path + ".checkpoints")
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false
        queue = try DatabaseQueue(path: path, configuration: configuration)
    }

    func close() { try? queue.close() }

    func execute(_ sql: String, _ arguments: StatementArguments = []) throws {
        try queue.write { db in try db.execute(sql: sql, arguments: arguments) }
    }

    /// The id of a run of the template by configuration (0–3) and repeat (0–1).
    func run(_ configuration: Int, _ repeatIndex: Int) throws -> Int64 {
        try #require(try queue.read { db in
            try Int64.fetchOne(db, sql: "SELECT id FROM run WHERE configuration_label = ? AND repeat_index = ?",
                               arguments: [TamperFixtures.labels[configuration], repeatIndex])
        })
    }

    /// A run's checkpoint file in this archive (or in `archive`).
    func checkpoint(_ runID: Int64, in archive: String? = nil) -> String {
        "\(archive ?? path).checkpoints/\(TamperFixtures.experiment)/\(runID).h5"
    }

    /// Records the checkpoint file's present SHA-256 as the run's.
    func rehash(_ runID: Int64) throws {
        try execute("UPDATE run SET checkpoint_sha256 = ? WHERE id = ?", [try sha256Hex(ofFileAt: checkpoint(runID)), runID])
    }

    /// Rewrites a run's checkpoint with `change` applied, its hash updated to match.
    func rewriteCheckpoint(_ runID: Int64, _ change: (inout Checkpoint) -> Void) throws {
        var contents = try Checkpoint.read(from: checkpoint(runID))
        change(&contents)
        try contents.write(to: checkpoint(runID))
        try rehash(runID)
    }

    /// One of a run's curve arrays (`train_rmse`, `test_rmse`, `loss`) with `change` applied to its values.
    func changeCurve(_ runID: Int64, _ column: String, _ change: (inout [Double]) -> Void) throws {
        try queue.write { db in
            let blob = try #require(try Data.fetchOne(db, sql: "SELECT \(column) FROM run_curve WHERE run_id = ?", arguments: [runID]))
            var values = blob.withUnsafeBytes { raw in (0..<(blob.count / 8)).map { Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self))) } }
            change(&values)
            let bytes = values.map(\.bitPattern.littleEndian).withUnsafeBytes { Data($0) }
            try db.execute(sql: "UPDATE run_curve SET \(column) = ?, epochs = ? WHERE run_id = ?",
                           arguments: [bytes, values.count, runID])
        }
    }

    /// The experiment's specification or series, decoded, changed and stored back.
    func changeSpec(_ change: (inout ExperimentSpec) -> Void) throws {
        try queue.write { db in
            let json = try #require(try String.fetchOne(db, sql: "SELECT spec_json FROM experiment"))
            var spec = try JSONDecoder().decode(ExperimentSpec.self, from: Data(json.utf8))
            change(&spec)
            try db.execute(sql: "UPDATE experiment SET spec_json = ?", arguments: [try canonicalJSON(spec)])
        }
    }

    func changeSeries(_ change: (inout Series) -> Void) throws {
        try queue.write { db in
            let json = try #require(try String.fetchOne(db, sql: "SELECT series_json FROM experiment"))
            var series = try JSONDecoder().decode(Series.self, from: Data(json.utf8))
            change(&series)
            try db.execute(sql: "UPDATE experiment SET series_json = ?", arguments: [try canonicalJSON(series)])
        }
    }

    /// Copies another archive's checkpoint of `runID` over this archive's, its hash updated to match.
    func copyCheckpoint(_ runID: Int64, from archive: String) throws {
        let destination = checkpoint(runID)
        try FileManager.default.removeItem(atPath: destination)
        try FileManager.default.copyItem(atPath: checkpoint(runID, in: archive), toPath: destination)
        try rehash(runID)
    }
}

/// One kind of tampering: what is done, what `check` says about it (nil: `check` cannot see it, `reproduce` must), and
/// which run the other commands are tried on.
struct TamperCase: Sendable, CustomTestStringConvertible {
    var kind: String
    /// A fragment of `check`'s output naming the problem.
    var check: String?
    /// Whether `reproduce` of `run` must find a divergence.
    var reproduce = false
    /// Whether `forecast` and `serve` (its forecast and the checkpoint download) must refuse `run`.
    var refusesCheckpoint = false
    /// Whether `diff` against the untouched archive must find a difference (or refuse to compare).
    var diff = true
    /// The run (configuration, repeat) the commands are tried on.
    var run = (0, 0)
    var apply: @Sendable (Tampered) throws -> Void

    var testDescription: String { kind }
}

// MARK: - The kinds of tampering

extension TamperCase {
    static let all: [TamperCase] = [
        // Labels, configurations, repeats and seeds against the experiment.
        .init(kind: "label swapped to another configuration's", check: "is not its configuration's") { t in
            try t.execute("UPDATE run SET configuration_label = ? WHERE id = ?", [TamperFixtures.labels[1], try t.run(0, 0)])
        },
        .init(kind: "label and configuration swapped together to another configuration's",
              check: "the seed derived from", refusesCheckpoint: true) { t in
            let source = try t.run(1, 1), target = try t.run(0, 0)
            try t.execute("""
                UPDATE run SET configuration_label = (SELECT configuration_label FROM run WHERE id = ?),
                configuration_json = (SELECT configuration_json FROM run WHERE id = ?) WHERE id = ?
                """, [source, source, target])
        },
        .init(kind: "configuration JSON's penalty changed", check: "is not one of experiment", refusesCheckpoint: true) { t in
            try t.execute("UPDATE run SET configuration_json = replace(configuration_json, '\"l1\":0.01', '\"l1\":0.02') WHERE id = ?",
                          [try t.run(1, 0)])
        } .on(1, 0),
        .init(kind: "configuration JSON's training settings changed", check: "training settings are not its experiment's",
              refusesCheckpoint: true) { t in
            try t.execute("UPDATE run SET configuration_json = replace(configuration_json, '\"units\":3', '\"units\":4') WHERE id = ?",
                          [try t.run(0, 0)])
        },
        .init(kind: "repeat index changed to another repeat's", check: "are both repeat 2") { t in
            try t.execute("UPDATE run SET repeat_index = 1 WHERE id = ?", [try t.run(0, 0)])
        },
        .init(kind: "repeat index beyond the experiment's repeats", check: "is outside the experiment's 2 repeat(s)") { t in
            try t.execute("UPDATE run SET repeat_index = 7 WHERE id = ?", [try t.run(0, 0)])
        },
        .init(kind: "duplicate repeat (a second row of one repeat, another seed)", check: "are both repeat 1") { t in
            try t.execute("""
                INSERT INTO run (experiment_id, configuration_label, repeat_index, run_seed, configuration_json, status,
                                 started_at, ended_at, numerics_version)
                SELECT experiment_id, configuration_label, repeat_index, run_seed + 1, configuration_json, 'interrupted',
                       started_at, ended_at, numerics_version FROM run WHERE id = ?
                """, [try t.run(0, 0)])
        },
        .init(kind: "run seed changed", check: "the seed derived from", refusesCheckpoint: true) { t in
            try t.execute("UPDATE run SET run_seed = run_seed + 1 WHERE id = ?", [try t.run(0, 0)])
        },
        .init(kind: "experiment seed column changed", check: "its specification's seed 11 is not its seed 12", diff: false) { t in
            try t.execute("UPDATE experiment SET seed = 12")
        },
        .init(kind: "experiment seed changed in the column and the specification", check: "the seed derived from") { t in
            try t.execute("UPDATE experiment SET seed = 12")
            try t.changeSpec { $0.seed = 12 }
        },
        .init(kind: "seed derivation set to lstmlab 0.1's", check: "the seed derived from") { t in
            try t.execute("UPDATE experiment SET seed_derivation = 1")
        },
        .init(kind: "unknown seed derivation", check: "seed derivation 7 is unknown") { t in
            try t.execute("UPDATE experiment SET seed_derivation = 7")
        },
        // Specification and series.
        .init(kind: "specification's epochs edited", check: "training settings are not its experiment's") { t in
            try t.changeSpec { $0.training.epochs = 7 }
        },
        .init(kind: "specification's repeats lowered", check: "is outside the experiment's 1 repeat(s)") { t in
            try t.changeSpec { $0.repeats = 1 }
        },
        .init(kind: "a configuration removed from the specification", check: "is not one of experiment") { t in
            try t.changeSpec { $0.configurations.removeFirst() }
        },
        .init(kind: "specification's name edited", check: "its specification names it 'renamed'") { t in
            try t.changeSpec { $0.name = "renamed" }
        },
        .init(kind: "experiment's preset edited", check: "is not its preset 'bias'", diff: false) { t in
            try t.execute("UPDATE experiment SET preset = 'bias'")
        },
        .init(kind: "specification made invalid (repeats 0)", check: "its specification is not valid") { t in
            try t.changeSpec { $0.repeats = 0 }
        },
        .init(kind: "series value of a test month edited", check: "months or observed values are not the series'",
              refusesCheckpoint: true) { t in
            try t.changeSeries { $0.values[$0.values.count - 2] += 1 }
        },
        // Statuses and results.
        .init(kind: "finished run set to interrupted, its results kept", check: "is interrupted but has results") { t in
            try t.execute("UPDATE run SET status = 'interrupted' WHERE id = ?", [try t.run(0, 0)])
        },
        .init(kind: "finished run set to running, no live owner", check: "is still marked running") { t in
            try t.execute("UPDATE run SET status = 'running', owner = NULL WHERE id = ?", [try t.run(0, 0)])
        },
        .init(kind: "finished run set to failed", check: "it failed but has scores, forecasts or a checkpoint") { t in
            try t.execute("UPDATE run SET status = 'failed', failed_epoch = 3, error = 'x' WHERE id = ?", [try t.run(0, 0)])
        },
        .init(kind: "finished run given a failing epoch", check: "it is finished but records a failure", diff: true) { t in
            try t.execute("UPDATE run SET failed_epoch = 4 WHERE id = ?", [try t.run(0, 0)])
        },
        .init(kind: "unknown numerics version", check: "numerics version 9 is unknown") { t in
            try t.execute("UPDATE run SET numerics_version = 9 WHERE id = ?", [try t.run(0, 0)])
        },
        .init(kind: "numerics version 0", check: "numerics version 0 is unknown") { t in
            try t.execute("UPDATE run SET numerics_version = 0 WHERE id = ?", [try t.run(0, 0)])
        },
        .init(kind: "final test RMSE changed", check: "final test RMSE", reproduce: true) { t in
            try t.execute("UPDATE run SET final_test_rmse = final_test_rmse * 0.9 WHERE id = ?", [try t.run(0, 0)])
        },
        .init(kind: "final train RMSE changed", check: "final train RMSE", reproduce: true) { t in
            try t.execute("UPDATE run SET final_train_rmse = final_train_rmse + 1 WHERE id = ?", [try t.run(0, 0)])
        },
        .init(kind: "a forecast value changed", check: "forecast rows give a test RMSE", reproduce: true,
              refusesCheckpoint: true) { t in
            try t.execute("UPDATE forecast SET forecast = forecast + 5 WHERE run_id = ? AND step = 3", [try t.run(0, 0)])
        },
        .init(kind: "a forecast value changed by one unit in the last place", check: "do not give the run's archived forecasts",
              reproduce: true, refusesCheckpoint: true) { t in
            let id = try t.run(0, 0)
            let value = try #require(try t.queue.read { db in
                try Double.fetchOne(db, sql: "SELECT forecast FROM forecast WHERE run_id = ? AND step = 3", arguments: [id])
            })
            try t.execute("UPDATE forecast SET forecast = ? WHERE run_id = ? AND step = 3", [value.nextUp, id])
        },
        .init(kind: "a forecast row deleted", check: "11 forecast rows", reproduce: true, refusesCheckpoint: true) { t in
            try t.execute("DELETE FROM forecast WHERE run_id = ? AND step = 5", [try t.run(0, 0)])
        },
        .init(kind: "a forecast month relabelled", check: "months or observed values") { t in
            try t.execute("UPDATE forecast SET month = '9-99' WHERE run_id = ? AND step = 2", [try t.run(0, 0)])
        },
        .init(kind: "an observed value changed", check: "months or observed values", reproduce: true) { t in
            try t.execute("UPDATE forecast SET observed = observed + 1 WHERE run_id = ? AND step = 2", [try t.run(0, 0)])
        },
        // Curves.
        .init(kind: "NaN in a finished run's curve", check: "not a finite number", reproduce: true) { t in
            try t.changeCurve(try t.run(0, 0), "loss") { $0[2] = .nan }
        },
        .init(kind: "infinity in a finished run's curve", check: "not a finite number", reproduce: true) { t in
            try t.changeCurve(try t.run(0, 0), "train_rmse") { $0[1] = .infinity }
        },
        .init(kind: "a finished run's curve shortened", check: "its curve has 5 epochs, its configuration 6", reproduce: true) { t in
            let id = try t.run(0, 0)
            try t.queue.write { db in
                try db.execute(sql: """
                    UPDATE run_curve SET epochs = 5, train_rmse = substr(train_rmse, 1, 40), test_rmse = substr(test_rmse, 1, 40),
                    loss = substr(loss, 1, 40) WHERE run_id = ?
                    """, arguments: [id])
            }
        },
        .init(kind: "a finished run's curve deleted", check: "its curve has 0 epochs", reproduce: true) { t in
            try t.execute("DELETE FROM run_curve WHERE run_id = ?", [try t.run(0, 0)])
        },
        .init(kind: "one bit of a test RMSE within the curve (mid-run)", check: nil, reproduce: true) { t in
            try t.changeCurve(try t.run(0, 0), "test_rmse") { $0[2] = Double(bitPattern: $0[2].bitPattern ^ 1) }
        },
        // Rows and files removed.
        .init(kind: "a run deleted, leaving its curve and forecast rows", check: "row(s) naming a missing run",
              refusesCheckpoint: false) { t in
            try t.execute("DELETE FROM run WHERE id = ?", [try t.run(3, 1)])
        },
        .init(kind: "a stray file in the checkpoints folder", check: "orphan file", diff: false) { t in
            try Data("x".utf8).write(to: URL(fileURLWithPath: t.path + ".checkpoints/\(TamperFixtures.experiment)/999.h5"))
        },
        // Checkpoints.
        .init(kind: "a checkpoint deleted", check: "checkpoint missing", refusesCheckpoint: true) { t in
            try FileManager.default.removeItem(atPath: t.checkpoint(try t.run(0, 0)))
        },
        .init(kind: "two runs' checkpoints swapped", check: "does not match its SHA-256", refusesCheckpoint: true) { t in
            let a = t.checkpoint(try t.run(0, 0)), b = t.checkpoint(try t.run(2, 1))
            try FileManager.default.moveItem(atPath: a, toPath: a + ".x")
            try FileManager.default.moveItem(atPath: b, toPath: a)
            try FileManager.default.moveItem(atPath: a + ".x", toPath: b)
        },
        .init(kind: "two runs' checkpoints swapped, hashes updated", check: "it belongs to run", refusesCheckpoint: true) { t in
            let first = try t.run(0, 0), second = try t.run(2, 1)
            let a = t.checkpoint(first), b = t.checkpoint(second)
            try FileManager.default.moveItem(atPath: a, toPath: a + ".x")
            try FileManager.default.moveItem(atPath: b, toPath: a)
            try FileManager.default.moveItem(atPath: a + ".x", toPath: b)
            try t.rehash(first)
            try t.rehash(second)
        },
        .init(kind: "a run's checkpoint path pointed at another run's file, hash updated", check: "it belongs to run",
              refusesCheckpoint: true) { t in
            let id = try t.run(0, 0), other = try t.run(1, 0)
            try t.execute("UPDATE run SET checkpoint_path = (SELECT checkpoint_path FROM run WHERE id = ?), checkpoint_sha256 = (SELECT checkpoint_sha256 FROM run WHERE id = ?) WHERE id = ?",
                          [other, other, id])
        },
        .init(kind: "a checkpoint replaced by a symbolic link to another run's, hash updated", check: "it belongs to run",
              refusesCheckpoint: true) { t in
            let id = try t.run(0, 0)
            try FileManager.default.removeItem(atPath: t.checkpoint(id))
            try FileManager.default.createSymbolicLink(atPath: t.checkpoint(id), withDestinationPath: t.checkpoint(try t.run(1, 1)))
            try t.rehash(id)
        },
        .init(kind: "a checkpoint copied from another archive (other seed), hash updated", check: "it names seed",
              refusesCheckpoint: true) { t in
            try t.copyCheckpoint(try t.run(0, 0), from: try TamperFixtures.shared().otherSeed)
        },
        .init(kind: "a checkpoint copied from another archive (same run, other series), hash updated",
              check: "do not give the run's archived forecasts", refusesCheckpoint: true) { t in
            try t.copyCheckpoint(try t.run(0, 0), from: try TamperFixtures.shared().otherSeries)
        },
        .init(kind: "a checkpoint truncated", check: "does not match its SHA-256", refusesCheckpoint: true) { t in
            let path = t.checkpoint(try t.run(0, 0))
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        },
        .init(kind: "a checkpoint truncated, hash updated", check: "cannot be parsed", refusesCheckpoint: true) { t in
            let id = try t.run(0, 0)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: t.checkpoint(id)))
            try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: t.checkpoint(id)))
            try t.rehash(id)
        },
        .init(kind: "a checkpoint's byte flipped", check: "does not match its SHA-256", refusesCheckpoint: true) { t in
            let path = t.checkpoint(try t.run(0, 0))
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            bytes[bytes.count - 20] ^= 0x10
            try bytes.write(to: URL(fileURLWithPath: path))
        },
        .init(kind: "HDF5 run id attribute changed, hash updated", check: "it belongs to run 99", refusesCheckpoint: true) { t in
            try t.rewriteCheckpoint(try t.run(0, 0)) { $0.runID = 99 }
        },
        .init(kind: "HDF5 run seed attribute changed, hash updated", check: "it names seed 5", refusesCheckpoint: true) { t in
            try t.rewriteCheckpoint(try t.run(0, 0)) { $0.runSeed = 5 }
        },
        .init(kind: "HDF5 experiment attribute changed, hash updated", check: "it names experiment 'other'",
              refusesCheckpoint: true) { t in
            try t.rewriteCheckpoint(try t.run(0, 0)) { $0.experiment = "other" }
        },
        .init(kind: "HDF5 configuration attribute changed, hash updated", check: "it names configuration",
              refusesCheckpoint: true) { t in
            try t.rewriteCheckpoint(try t.run(0, 0)) { $0.configuration.configuration = .single(.bias, L1L2(l1: 0.01, l2: 0)) }
        },
        .init(kind: "HDF5 final weight changed, hash updated", check: "do not give the run's archived forecasts",
              reproduce: true, refusesCheckpoint: true) { t in
            try t.rewriteCheckpoint(try t.run(0, 0)) { $0.finalParameters[0] += 1e-3 }
        },
        // What only re-training can tell: check sees a sound archive, reproduce and diff do not.
        .init(kind: "HDF5 weight snapshot changed, hash updated", check: nil, reproduce: true) { t in
            try t.rewriteCheckpoint(try t.run(0, 0)) { $0.snapshots[0].parameters[2] += 1e-3 }
        },
        .init(kind: "HDF5 initial weights changed, hash updated", check: nil, reproduce: true) { t in
            try t.rewriteCheckpoint(try t.run(0, 0)) { $0.initialParameters[1] *= 2 }
        },
        .init(kind: "HDF5 Adam moment changed, hash updated", check: nil, reproduce: true) { t in
            try t.rewriteCheckpoint(try t.run(0, 0)) { $0.adamState.secondMoment[0] *= 2 }
        },
    ]
}

extension TamperCase {
    init(kind: String, check: String?, reproduce: Bool = false, refusesCheckpoint: Bool = false, diff: Bool = true,
         apply: @escaping @Sendable (Tampered) throws -> Void) {
        self.kind = kind
        self.check = check
        self.reproduce = reproduce
        self.refusesCheckpoint = refusesCheckpoint
        self.diff = diff
        self.apply = apply
    }

    /// The same case tried on another run.
    func on(_ configuration: Int, _ repeatIndex: Int) -> TamperCase {
        var copy = self
        copy.run = (configuration, repeatIndex)
        return copy
    }
}

// MARK: - Tests

@Suite("Tampering: check, reproduce, diff, forecast and serve detect or refuse every kind")
struct TamperTests {
    @Test("The untouched archive is sound, reproduces, forecasts and serves")
    func untouched() async throws {
        let t = try Tampered()
        t.close()
        let result = try TestSupport.runLSTMLab(["check", "--archive", t.path])
        #expect(result.status == 0 && result.stdout.contains("archive sound"), "\(result.stdout)")
        let lab = try Lab.reading(archive: t.path)
        for run in try lab.store.runs() { #expect(try lab.reproduce(run) == .identical) }
        #expect(try Lab.compare(archive: try TamperFixtures.shared().template, with: t.path).firstDifference == nil)
        let statuses = try await Self.serveStatuses(t.path, runID: 1)
        #expect(statuses == [200, 200])
    }

    @Test("At least 30 kinds of tampering are tried; check misses only what re-training alone can tell (curve values, snapshots, Adam's state, initial weights)")
    func coverage() {
        #expect(TamperCase.all.count >= 30)
        #expect(TamperCase.all.filter { $0.check == nil && !$0.reproduce }.isEmpty)
    }

    @Test("Each kind is detected", arguments: TamperCase.all)
    func detected(_ tamper: TamperCase) async throws {
        let t = try Tampered()
        let runID = try t.run(tamper.run.0, tamper.run.1)
        try tamper.apply(t)
        t.close()
        // check, through the command: exit 1 and the problem named.
        let check = try TestSupport.runLSTMLab(["check", "--archive", t.path])
        if let fragment = tamper.check {
            #expect(check.status == 1, "\(tamper.kind): check passed: \(check.stdout)")
            #expect(check.stdout.contains(fragment), "\(tamper.kind): check did not say '\(fragment)': \(check.stdout)")
        } else {
            #expect(check.status == 0, "\(tamper.kind): \(check.stdout)")
        }
        let lab = try Lab.reading(archive: t.path)
        if tamper.reproduce {
            let run = try lab.store.run(id: runID)
            var reproduced: Reproduction?
            do { reproduced = try lab.reproduce(run) } catch {}
            #expect(reproduced != .identical, "\(tamper.kind): reproduce called it identical")
        }
        if tamper.refusesCheckpoint {
            #expect(throws: (any Error).self, "\(tamper.kind): forecast answered") { _ = try lab.forecast(runID: runID) }
            let statuses = try await Self.serveStatuses(t.path, runID: runID)
            #expect(statuses.allSatisfy { $0 >= 400 }, "\(tamper.kind): serve answered \(statuses)")
        }
        if tamper.diff {
            var difference: String?
            do {
                difference = try Lab.compare(archive: try TamperFixtures.shared().template, with: t.path).firstDifference
            } catch {
                difference = "\(error)"
            }
            #expect(difference != nil, "\(tamper.kind): diff called the archives identical")
        }
    }

    /// The statuses of serve's forecast and checkpoint download for a run.
    static func serveStatuses(_ archive: String, runID: Int64) async throws -> [Int] {
        let server = try ArchiveServer(lab: try Lab.reading(archive: archive))
        return try await Application(router: server.router()).test(.router) { client in
            var statuses: [Int] = []
            for uri in ["/api/runs/\(runID)/forecast", "/runs/\(runID)/checkpoint.h5"] {
                statuses.append(Int(try await client.execute(uri: uri, method: .get).status.code))
            }
            return statuses
        }
    }
}
