import Foundation
import GRDB
import Testing

@testable import Archive
import Experiment
@testable import Lab
import NeuralNetwork
import TimeSeries

/// The run seed lstmlab 0.1 derived from a configuration's display label, written out here from its formula:
/// `mix(seed ⊕ mix(fnv1a64(label) ⊕ mix(repeat)))` with the top bit cleared.
private func labelDerivedSeed(_ experimentSeed: UInt64, _ label: String, _ repeatIndex: Int) -> UInt64 {
    let repeatMix = splitMix64Finalize(UInt64(repeatIndex))
    return splitMix64Finalize(experimentSeed ^ splitMix64Finalize(fnv1a64(label) ^ repeatMix)) & 0x7FFF_FFFF_FFFF_FFFF
}

/// An archive as lstmlab 0.1 left it: runs seeded from their labels, configurations stored as a label and a full
/// regularization, the experiment without a seed derivation (schema v1 only).
private func legacyArchive() throws -> (path: String, spec: ExperimentSpec) {
    let path = TestSupport.temporaryArchive()
    let spec = ExperimentSpec(name: "legacy", preset: "custom", seed: 7, repeats: 2,
                              training: TrainingSettings(profile: .keras2, epochs: 20),
                              configurations: [.baseline, .single(.kernel, L1L2(l1: 0.01, l2: 0.01))])
    let store = try ArchiveStore(path: path, create: true)
    let experiment = try store.registerExperiment(spec, series: .shampooSales(), provenance: .current(productVersion: "0.1.0"))
    let trainer = try Trainer(series: .shampooSales(), training: spec.training, snapshotInterval: 10)
    for var task in spec.runs {
        task.runSeed = labelDerivedSeed(spec.seed, task.configuration.label, task.repeatIndex)
        let id = try #require(try store.beginRun(task, experimentID: experiment.id!))
        try store.finishRun(id: id, result: try trainer.train(task))
    }
    // Run 1's checkpoint in the layout of 0.1: groups `adam/` and `scaler/`, no numerics version.
    let run = try store.run(id: 1)
    let checkpointPath = store.resolveCheckpointPath(try #require(run.checkpointPath))
    let checkpoint = try Checkpoint.read(from: checkpointPath)
    try writeHDF5File(at: checkpointPath) { file in
        let layout = ParameterLayout(checkpoint.shape)
        try file.setAttribute("layer_names", strings: ["lstm", "dense"])
        for layer in ["lstm", "dense"] {
            let tensors = WeightTensor.allCases.filter { $0.kerasLayer == layer }
            try file.createGroup(layer)
            try file.setAttribute("weight_names", on: layer, strings: tensors.map(\.kerasName))
            for tensor in tensors {
                try file.writeDoubles("\(layer)/\(tensor.kerasName)", Array(checkpoint.finalParameters[layout.range(of: tensor)]),
                                      dimensions: layout.dimensions(of: tensor))
            }
        }
        try file.createGroup("lstmlab")
        try file.setAttribute("run_id", on: "lstmlab", int64: 1)
        try file.setAttribute("run_seed", on: "lstmlab", int64: Int64(bitPattern: checkpoint.runSeed))
        try file.setAttribute("experiment", on: "lstmlab", string: "legacy")
        try file.setAttribute("configuration_label", on: "lstmlab", string: checkpoint.configuration.label)
        try file.setAttribute("configuration", on: "lstmlab", string: try canonicalJSON(checkpoint.configuration))
        try file.setAttribute("epochs", on: "lstmlab", int64: Int64(checkpoint.epochs))
        try file.writeDoubles("lstmlab/initial_weights", checkpoint.initialParameters, dimensions: [layout.count])
        try file.createGroup("lstmlab/adam")
        try file.writeDoubles("lstmlab/adam/m", checkpoint.adamState.firstMoment, dimensions: [layout.count])
        try file.writeDoubles("lstmlab/adam/v", checkpoint.adamState.secondMoment, dimensions: [layout.count])
        try file.setAttribute("step", on: "lstmlab/adam", int64: Int64(checkpoint.adamState.step))
        let scaler = checkpoint.scaler
        for (name, values) in [("minimums", scaler.minimums), ("maximums", scaler.maximums), ("scales", scaler.scales),
                               ("offsets", scaler.offsets)] {
            try file.writeDoubles("lstmlab/scaler/\(name)", values, dimensions: [values.count])
        }
    }
    var legacyCheckpoint = checkpoint
    legacyCheckpoint.snapshots = []
    // Read back, it keeps the version and numerics that trained it.
    legacyCheckpoint.productVersion = "0.1.0"
    legacyCheckpoint.numericsVersion = 1
    #expect(try Checkpoint.read(from: checkpointPath) == legacyCheckpoint)
    let legacyDigest = try sha256Hex(ofFileAt: checkpointPath)
    try store.write { db in
        try db.execute(sql: "UPDATE run SET checkpoint_sha256 = ? WHERE id = 1", arguments: [legacyDigest])
        for (label, regularization) in [("L1L2(0.00,0.00)", #"{"activity":{"l1":0,"l2":0},"bias":{"l1":0,"l2":0},"kernel":{"l1":0,"l2":0},"recurrentKernel":{"l1":0,"l2":0}}"#),
                                        ("kernel L1L2(0.01,0.01)", #"{"activity":{"l1":0,"l2":0},"bias":{"l1":0,"l2":0},"kernel":{"l1":0.01,"l2":0.01},"recurrentKernel":{"l1":0,"l2":0}}"#)] {
            let training = try canonicalJSON(spec.training)
            let json = #"{"configuration":{"label":"\#(label)","regularization":\#(regularization)},"training":\#(training)}"#
            try db.execute(sql: "UPDATE run SET configuration_json = ? WHERE configuration_label = ?", arguments: [json, label])
        }
        // Schema v1: a row per epoch and the `curve` view, no numerics version, no seed derivation.
        try db.execute(sql: """
            CREATE TABLE epoch (
                run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                epoch INTEGER NOT NULL CHECK (epoch >= 1),
                train_rmse REAL NOT NULL, test_rmse REAL NOT NULL, loss REAL NOT NULL,
                PRIMARY KEY (run_id, epoch)
            ) WITHOUT ROWID;
            CREATE VIEW curve AS
                SELECT experiment.name AS experiment, run.configuration_label, run.repeat_index,
                       run.id AS run_id, epoch.epoch, epoch.train_rmse, epoch.test_rmse, epoch.loss
                FROM epoch JOIN run ON run.id = epoch.run_id JOIN experiment ON experiment.id = run.experiment_id
                WHERE run.status = 'finished';
            """)
        for row in try Row.fetchAll(db, sql: "SELECT run_id, train_rmse, test_rmse, loss FROM run_curve") {
            let runID: Int64 = row[0]
            let train = try #require(doubles(fromFloat64Bytes: row[1]))
            let test = try #require(doubles(fromFloat64Bytes: row[2]))
            let loss = try #require(doubles(fromFloat64Bytes: row[3]))
            for index in train.indices {
                try db.execute(sql: "INSERT INTO epoch VALUES (?, ?, ?, ?, ?)",
                               arguments: [runID, index + 1, train[index], test[index], loss[index]])
            }
        }
        try db.execute(sql: """
            DROP TABLE run_curve;
            ALTER TABLE run DROP COLUMN numerics_version;
            ALTER TABLE run DROP COLUMN host;
            ALTER TABLE run DROP COLUMN git_commit;
            ALTER TABLE run DROP COLUMN product_version;
            ALTER TABLE run DROP COLUMN engine;
            ALTER TABLE experiment DROP COLUMN seed_derivation;
            DELETE FROM grdb_migrations WHERE identifier LIKE 'v2:%' OR identifier LIKE 'v3:%' OR identifier LIKE 'v4:%';
            """)
    }
    return (path, spec)
}

@Suite("Archives written by lstmlab 0.1")
struct LegacyArchiveTests {
    @Test("They open and upgrade: seed derivation 1, numerics version 1, curves moved bit for bit into one row per run; every run still reproduces")
    func legacyRunsReproduce() throws {
        let (path, _) = try legacyArchive()
        let before = try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: "SELECT run_id, epoch, train_rmse, test_rmse, loss FROM epoch ORDER BY run_id, epoch")
                .map { row -> [UInt64] in
                    [UInt64(row[0] as Int64), UInt64(row[1] as Int64), (row[2] as Double).bitPattern,
                     (row[3] as Double).bitPattern, (row[4] as Double).bitPattern]
                }
        }
        #expect(before.count == 4 * 20)
        // A read command refuses it without writing a byte; an upgrade (any writing command) migrates it.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(throws: ArchiveError.needsUpgrade(path: path)) { try Lab.reading(archive: path) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
        _ = try Lab.upgrading(archive: path)
        let lab = try Lab.reading(archive: path)
        let experiment = try lab.store.experiment(named: "legacy")
        #expect(experiment.seedDerivation == 1)
        let runs = try lab.finishedRuns(ofExperiment: "legacy")
        #expect(runs.count == 4)
        let after = try runs.flatMap { run in
            try lab.store.curve(runID: run.id!).map {
                [UInt64(run.id!), UInt64($0.epoch), $0.trainRMSE.bitPattern, $0.testRMSE.bitPattern, $0.loss.bitPattern]
            }
        }
        #expect(after == before)
        #expect(try lab.forecast(runID: 1).testMonths.count == 12)
        for run in runs {
            #expect(run.numericsVersion == 1)
            // Each run's provenance is its experiment's, as 0.1 recorded it only there.
            #expect(run.host == experiment.host && run.gitCommit == experiment.gitCommit && run.engine == "unknown")
            #expect(run.productVersion == experiment.productVersion)
            #expect(try run.configuration().configuration.label == run.configurationLabel)
            // These runs were in fact trained by today's numerics: no deviation, but not called identical.
            #expect(try lab.reproduce(run) == .otherNumerics(recorded: 1, largestDeviation: nil))
            // Their seeds are the label-derived ones, which the current derivation does not give.
            let current = deriveRunSeed(experimentSeed: 7, configuration: try run.configuration().configuration,
                                        repeatIndex: run.repeatIndex)
            #expect(UInt64(bitPattern: run.runSeed) != current)
        }
        #expect(try lab.check().isSound)
    }

    @Test("Running the experiment again into them is refused instead of mixing seeds; a new name trains afresh")
    func legacyExperimentsAreNotExtended() throws {
        let (path, spec) = try legacyArchive()
        let lab = try Lab.writing(archive: path)
        let plan = try ExperimentPlan(spec: spec, series: .shampooSales(), snapshotInterval: 10)
        #expect(throws: ArchiveError.olderSeedDerivation(name: "legacy", productVersion: "0.1.0")) {
            try lab.run(plan, jobs: 2)
        }
        #expect(try lab.store.runs().count == 4)
        var renamed = spec
        renamed.name = "legacy-again"
        let outcome = try lab.run(try ExperimentPlan(spec: renamed, series: .shampooSales(), snapshotInterval: 10), jobs: 2)
        #expect(outcome.trained.count == 4)
        #expect(try lab.store.experiment(named: "legacy-again").seedDerivation == RunSeedDerivation.current)
    }
}
