import Experiment
import Foundation
import GRDB
import NeuralNetwork
import TimeSeries

/// The invariants an archive's rows hold, checked row by row: what `check` reports and what `merge` requires of a
/// shard before it takes anything from it.
///
/// Each experiment: its specification and series decode, and name the experiment's own name, preset and seed. Each
/// run: its configuration decodes, its label is its configuration's, its configuration is one of its experiment's
/// and trained with its experiment's settings, its repeat index lies within the experiment's repeats and no other
/// run of the configuration has it, its seed is the one derived from the experiment seed, the configuration and the
/// repeat (`deriveRunSeed`, or lstmlab 0.1's label-derived seed for an experiment of seed derivation 1), its numerics
/// version is a known one. By status: a finished run's curve is finite and as long as its epochs, its final scores
/// are the last epoch's, its forecast rows are one per test month with the series' months and observed values and
/// give its test RMSE; a failed run has a failing epoch, a finite curve of the epochs before it, and no scores,
/// forecasts or checkpoint; a run `running` or `interrupted` has no curve, scores, forecasts or checkpoint.
extension ArchiveStore {
    /// Every problem of every run's rows, in run order (each message starts with `run N:` or `experiment NAME:`).
    public func recordProblems() throws -> [String] {
        try checkedRecords().problems
    }

    /// Every experiment and run, and the problems of their rows, all read in one transaction: a run another process
    /// finishes meanwhile is seen either running without results or finished with them, never half of each.
    func checkedRecords() throws -> (experiments: [ExperimentRecord], runs: [RunRecord], problems: [String]) {
        try database.read { db in
            let experiments = try ExperimentRecord.order(Column("id")).fetchAll(db)
            let runs = try RunRecord.order(Column("id")).fetchAll(db)
            return (experiments, runs, try Self.recordProblems(db, experiments: experiments, runs: runs))
        }
    }

    /// The problems of these runs' rows, read within the transaction that read them.
    private static func recordProblems(_ db: Database, experiments: [ExperimentRecord], runs: [RunRecord]) throws -> [String] {
        var problems: [String] = []
        var contexts: [Int64: ExperimentContext] = [:]
        for experiment in experiments {
            let (context, found) = ExperimentContext.make(experiment)
            contexts[experiment.id!] = context
            problems += found
        }
        var repeatsSeen: [Int64: [String: [Int: Int64]]] = [:]
        for run in runs {
            let id = run.id!
            guard let context = contexts[run.experimentID] else {
                problems.append("run \(id): its experiment #\(run.experimentID) does not exist")
                continue
            }
            let configuration: RunConfiguration
            do {
                configuration = try run.configuration()
            } catch {
                problems.append("run \(id): its configuration cannot be read")
                continue
            }
            problems += identityProblems(of: run, configuration: configuration, context: context)
            if let earlier = repeatsSeen[run.experimentID, default: [:]][run.configurationLabel, default: [:]][run.repeatIndex] {
                problems.append("run \(id): runs \(earlier) and \(id) are both repeat \(run.repeatIndex + 1) of '\(run.configurationLabel)'")
            } else {
                repeatsSeen[run.experimentID, default: [:]][run.configurationLabel, default: [:]][run.repeatIndex] = id
            }
            problems += try statusProblems(db, of: run, configuration: configuration, series: context.series)
        }
        return problems
    }

    /// Whether the run's label, configuration, repeat, seed and numerics agree with its experiment.
    private static func identityProblems(of run: RunRecord, configuration: RunConfiguration, context: ExperimentContext) -> [String] {
        let id = run.id!
        var problems: [String] = []
        if run.configurationLabel != configuration.label {
            problems.append("run \(id): its label '\(run.configurationLabel)' is not its configuration's ('\(configuration.label)')")
        }
        guard let spec = context.spec else { return problems }
        if !spec.configurations.contains(configuration.configuration) {
            problems.append("run \(id): its configuration '\(configuration.label)' is not one of experiment \(spec.name)'s")
        }
        // The experiment's shared settings with the configuration's own applied.
        let expected = configuration.configuration.training(sharing: spec.training)
        if configuration.training != expected {
            problems.append("run \(id): its training settings are not its experiment's (\(describeTrainingDifference(expected, configuration.training)))")
        }
        if !(0..<spec.repeats).contains(run.repeatIndex) {
            problems.append("run \(id): its repeat index \(run.repeatIndex) is outside the experiment's \(spec.repeats) repeat(s)")
        }
        let derived = context.seedDerivation == 1
            ? labelDerivedRunSeed(experimentSeed: spec.seed, label: configuration.label, repeatIndex: run.repeatIndex)
            : deriveRunSeed(experimentSeed: spec.seed, configuration: configuration.configuration, repeatIndex: run.repeatIndex)
        if UInt64(bitPattern: run.runSeed) != derived {
            problems.append("run \(id): its seed \(run.runSeed) is not \(derived), the seed derived from the experiment seed "
                            + "\(spec.seed), its configuration and repeat \(run.repeatIndex + 1)")
        }
        if !(1...numericsVersion).contains(run.numericsVersion) {
            problems.append("run \(id): numerics version \(run.numericsVersion) is unknown (this lstmlab knows 1 to \(numericsVersion))")
        }
        return problems
    }

    /// Whether the run's rows are those its status implies.
    private static func statusProblems(_ db: Database, of run: RunRecord, configuration: RunConfiguration, series: Series?) throws
        -> [String]
    {
        let id = run.id!
        var problems: [String] = []
        let curve = try CurveBytes.fetch(db, runID: id)
        let forecasts = try ForecastRow.filter(Column("run_id") == id).order(Column("step")).fetchAll(db)
        let values = curve.flatMap { row in
            [row.train, row.test, row.loss].map(doubles(fromFloat64Bytes:))
        }
        if let values, values.contains(where: { $0 == nil || $0!.contains { !$0.isFinite } }) {
            problems.append("run \(id): its curve holds a value that is not a finite number")
        }
        let epochs = configuration.training.epochs
        switch run.status {
        case .finished:
            if (curve?.epochs ?? 0) != epochs {
                problems.append("run \(id): its curve has \(curve?.epochs ?? 0) epochs, its configuration \(epochs)")
            }
            if run.failedEpoch != nil || run.error != nil {
                problems.append("run \(id): it is finished but records a failure (epoch \(run.failedEpoch.map(String.init) ?? "-"))")
            }
            if let curve, let train = doubles(fromFloat64Bytes: curve.train).flatMap(\.last),
               let test = doubles(fromFloat64Bytes: curve.test).flatMap(\.last) {
                if run.finalTrainRMSE?.bitPattern != train.bitPattern {
                    problems.append("run \(id): final train RMSE \(run.finalTrainRMSE.map { "\($0)" } ?? "NULL") is not the last epoch's \(train)")
                }
                if run.finalTestRMSE?.bitPattern != test.bitPattern {
                    problems.append("run \(id): final test RMSE \(run.finalTestRMSE.map { "\($0)" } ?? "NULL") is not the last epoch's \(test)")
                }
            }
            if let series { problems += forecastProblems(of: run, forecasts: forecasts, testSize: configuration.training.testSize, series: series) }
        case .failed:
            if let failed = run.failedEpoch, (1...epochs).contains(failed) {
                if (curve?.epochs ?? 0) != failed - 1 {
                    problems.append("run \(id): failed at epoch \(failed) but its curve has \(curve?.epochs ?? 0) epochs, expected \(failed - 1)")
                }
            } else {
                problems.append("run \(id): it failed but records no failing epoch within its \(epochs) epochs")
            }
            if run.finalTestRMSE != nil || run.finalTrainRMSE != nil || run.checkpointPath != nil || !forecasts.isEmpty {
                problems.append("run \(id): it failed but has scores, forecasts or a checkpoint")
            }
        case .running, .interrupted:
            if curve != nil || !forecasts.isEmpty || run.finalTestRMSE != nil || run.finalTrainRMSE != nil || run.checkpointPath != nil {
                problems.append("run \(id): it is \(run.status.rawValue) but has results (a curve, scores, forecasts or a checkpoint)")
            }
        }
        return problems
    }

    /// Whether a finished run's forecast rows are one per test month, with the series' months and observed values,
    /// and give the run's test RMSE.
    private static func forecastProblems(of run: RunRecord, forecasts: [ForecastRow], testSize: Int, series: Series) -> [String] {
        let id = run.id!
        if forecasts.map(\.step) != Array(stride(from: 1, through: testSize, by: 1)) {
            return ["run \(id): \(forecasts.count) forecast rows (steps \(forecasts.map(\.step))), expected steps 1–\(testSize)"]
        }
        if forecasts.map(\.month) != Array(series.labels.suffix(testSize))
            || forecasts.map(\.observed) != Array(series.values.suffix(testSize)) {
            return ["run \(id): its forecast rows' months or observed values are not the series' last \(testSize)"]
        }
        if let stored = run.finalTestRMSE {
            let rmse = rootMeanSquaredError(forecasts.map(\.forecast), forecasts.map(\.observed))
            if !(abs(rmse - stored) <= 1e-9 * max(1, abs(stored))) {
                return ["run \(id): its forecast rows give a test RMSE of \(rmse), the run records \(stored)"]
            }
        }
        return []
    }
}

/// An experiment's record decoded once for the checks of its runs, with what is wrong with it.
private struct ExperimentContext {
    var spec: ExperimentSpec?
    var series: Series?
    var seedDerivation: Int

    static func make(_ experiment: ExperimentRecord) -> (ExperimentContext, [String]) {
        var problems: [String] = []
        let name = experiment.name
        let spec = try? experiment.spec()
        let series = try? experiment.series()
        if let spec {
            if spec.name != name { problems.append("experiment \(name): its specification names it '\(spec.name)'") }
            if spec.preset != experiment.preset {
                problems.append("experiment \(name): its specification's preset '\(spec.preset)' is not its preset '\(experiment.preset)'")
            }
            if Int64(bitPattern: spec.seed) != experiment.seed {
                problems.append("experiment \(name): its specification's seed \(spec.seed) is not its seed \(experiment.seed)")
            }
            do { try spec.validate() } catch {
                problems.append("experiment \(name): its specification is not valid (\(oneLine(String(describing: error), limit: 200)))")
            }
        } else {
            problems.append("experiment \(name): its specification cannot be read")
        }
        if series == nil { problems.append("experiment \(name): its series cannot be read") }
        if ![1, RunSeedDerivation.current].contains(experiment.seedDerivation) {
            problems.append("experiment \(name): seed derivation \(experiment.seedDerivation) is unknown")
        }
        return (ExperimentContext(spec: spec, series: series, seedDerivation: experiment.seedDerivation), problems)
    }
}

/// The run seed lstmlab 0.1 derived (seed derivation 1), from the configuration's display label:
/// `mix(experimentSeed ⊕ mix(fnv1a64(label) ⊕ mix(repeatIndex)))` with the top bit cleared, `mix` the SplitMix64
/// finaliser.
func labelDerivedRunSeed(experimentSeed: UInt64, label: String, repeatIndex: Int) -> UInt64 {
    let repeatMix = splitMix64Finalize(UInt64(repeatIndex))
    return splitMix64Finalize(experimentSeed ^ splitMix64Finalize(fnv1a64(label) ^ repeatMix)) & 0x7FFF_FFFF_FFFF_FFFF
}

/// The settings that differ, as `epochs 5 in the experiment, 6 in the run` (`names` the two sides).
func describeTrainingDifference(_ expected: TrainingSettings, _ found: TrainingSettings,
                                names: (String, String) = ("the experiment", "the run")) -> String {
    let differing = settingPairs(expected, found).filter { $0.1 != $0.2 }
        .map { "\($0.0) \($0.1) in \(names.0), \($0.2) in \(names.1)" }
    return differing.isEmpty ? "settings differ" : differing.joined(separator: ", ")
}

extension ArchiveStore {
    /// Rows whose foreign key names a row that does not exist (`PRAGMA foreign_key_check`), e.g. the curve and forecasts
    /// of a run deleted while foreign keys were off: one line per table and missing parent.
    public func foreignKeyProblems() throws -> [String] {
        try database.read { db in
            var counts: [String: Int] = [:]
            var order: [String] = []
            for row in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") {
                let key = "\(row[0] as String) row(s) naming a missing \(row[2] as String)"
                if counts[key] == nil { order.append(key) }
                counts[key, default: 0] += 1
            }
            return order.map { "\(counts[$0]!) \($0)" }
        }
    }
}

extension Checkpoint {
    /// How a checkpoint read for `run` (of `experiment`) names another run, seed, experiment, configuration or epoch
    /// count than the row; nil when it names this run.
    public func identityMismatch(with run: RunRecord, experiment: String?) -> String? {
        if runID != run.id { return "it belongs to run \(runID), not run \(run.id!)" }
        if runSeed != UInt64(bitPattern: run.runSeed) { return "it names seed \(runSeed), the run \(UInt64(bitPattern: run.runSeed))" }
        if let experiment, self.experiment != experiment {
            return "it names experiment '\(self.experiment)', the run '\(experiment)'"
        }
        guard let recorded = try? run.configuration() else { return "the run's configuration cannot be read" }
        if configuration != recorded {
            return configuration.training == recorded.training
                ? "it names configuration '\(configuration.label)', the run '\(recorded.label)'"
                : "its training settings are not the run's (\(describeTrainingDifference(recorded.training, configuration.training, names: ("the run", "the checkpoint"))))"
        }
        if run.status == .finished && epochs != recorded.training.epochs {
            return "it holds \(epochs) epochs, the run \(recorded.training.epochs)"
        }
        return nil
    }
}
