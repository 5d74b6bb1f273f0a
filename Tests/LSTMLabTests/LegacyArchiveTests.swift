import Foundation
import GRDB
import Testing

@testable import Archive
import Experiment
import Lab
import Network
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
    try store.write { db in
        for (label, regularization) in [("L1L2(0.00,0.00)", #"{"activity":{"l1":0,"l2":0},"bias":{"l1":0,"l2":0},"kernel":{"l1":0,"l2":0},"recurrentKernel":{"l1":0,"l2":0}}"#),
                                        ("kernel L1L2(0.01,0.01)", #"{"activity":{"l1":0,"l2":0},"bias":{"l1":0,"l2":0},"kernel":{"l1":0.01,"l2":0.01},"recurrentKernel":{"l1":0,"l2":0}}"#)] {
            let training = try canonicalJSON(spec.training)
            let json = #"{"configuration":{"label":"\#(label)","regularization":\#(regularization)},"training":\#(training)}"#
            try db.execute(sql: "UPDATE run SET configuration_json = ? WHERE configuration_label = ?", arguments: [json, label])
        }
        try db.execute(sql: "ALTER TABLE experiment DROP COLUMN seed_derivation")
        try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier LIKE 'v2:%'")
    }
    return (path, spec)
}

@Suite("Archives written by lstmlab 0.1")
struct LegacyArchiveTests {
    @Test("They open, gain the seed-derivation column (1 for their experiments) and every run still reproduces bit for bit")
    func legacyRunsReproduce() throws {
        let (path, _) = try legacyArchive()
        let lab = try Lab.reading(archive: path)
        let experiment = try lab.store.experiment(named: "legacy")
        #expect(experiment.seedDerivation == 1)
        let runs = try lab.finishedRuns(ofExperiment: "legacy")
        #expect(runs.count == 4)
        for run in runs {
            #expect(try run.configuration().configuration.label == run.configurationLabel)
            #expect(try lab.reproduce(run) == nil)
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
