import Analysis
import Archive
import Experiment
import Lab

/// The API's JSON bodies. Every body is either a list of flat records or one flat record (pandas:
/// `pd.read_json(url)`, or `pd.read_json(url, typ="series")` for one record), with snake_case keys. Curves are one
/// record per configuration or run holding equal-length arrays (`epoch`, …), as the archive stores them: pandas's
/// `DataFrame.explode` turns them into one row per epoch.
enum APIPayloads {
    static func experiment(_ overview: ExperimentOverview) -> JSONValue {
        let record = overview.record, spec = overview.spec
        return .object([
            ("id", .integer(overview.id)), ("name", .string(record.name)), ("preset", .string(record.preset)),
            ("profile", .string(spec.training.profile.name)), ("seed", .integer(record.seed)),
            ("epochs", .integer(spec.training.epochs)), ("repeats", .integer(spec.repeats)),
            ("configurations", .integer(spec.configurations.count)), ("expected", .integer(overview.expected)),
            ("finished", .integer(overview.finished)), ("failed", .integer(overview.failed)),
            ("running", .integer(overview.running)), ("interrupted", .integer(overview.interrupted)),
            ("created_at", .string(record.createdAt)), ("product_version", .string(record.productVersion)),
            ("git_commit", .string(record.gitCommit)), ("host", .string(record.host)), ("os", .string(record.os)),
            ("cpu_model", .string(record.cpuModel)), ("swift_version", .string(record.swiftVersion)),
            // Each configuration's own training settings (units, epochs, …), and the file it was run from.
            ("configuration_settings", .array(spec.configurations.map { configuration in
                .object([("label", .string(configuration.label))]
                        + configuration.settings.values.map { ($0.key, .number($0.value)) })
            })),
            ("experiment_file", record.experimentFile.map(JSONValue.string) ?? .null),
        ])
    }

    /// Per configuration: pandas `describe()` of the final test RMSE, failed runs, and the mean curves' diagnostics.
    static func summary(_ summaries: [ConfigurationSummary]) -> JSONValue {
        .array(summaries.map { item in
            let d = item.diagnostics
            var members: [(String, JSONValue)] = [("configuration", .string(item.label)), ("failed", .integer(item.failed))]
            members += item.description.rows.map {
                ($0.name, $0.name == "count" ? .integer(item.description.count) : .number($0.value))
            }
            members += [("best_epoch", .integer(d.bestEpoch)), ("best_mean_test_rmse", .number(d.bestTestRMSE)),
                        ("final_mean_train_rmse", .number(d.finalTrainRMSE)),
                        ("final_mean_test_rmse", .number(d.finalTestRMSE)), ("final_gap", .number(d.finalGap)),
                        ("overfitting_onset", .integer(d.overfittingOnset))]
            return .object(members)
        })
    }

    /// Each configuration against the baseline, the numbers of `lstmlab compare EXPERIMENT`.
    static func comparisons(_ comparisons: [Comparison]) -> JSONValue {
        .array(comparisons.map { c in
            .object([
                ("configuration", .string(c.labelA)), ("baseline", .string(c.labelB)), ("n", .integer(c.sizeA)),
                ("mean", .number(c.meanA)), ("baseline_n", .integer(c.sizeB)), ("baseline_mean", .number(c.meanB)),
                ("delta_mean", .number(c.meanDifference)), ("ci_low", .number(c.intervalLower)),
                ("ci_high", .number(c.intervalUpper)), ("welch_t", .number(c.welchT)), ("welch_p", .number(c.welchPValue)),
                ("welch_p_holm", .number(c.adjustedPValue)), ("mann_whitney_u", .number(c.mannWhitneyU)),
                ("mann_whitney_p", .number(c.mannWhitneyPValue)), ("cohens_d", .number(c.cohensD)),
                ("verdict", .string(c.verdict)),
            ])
        })
    }

    /// The values in one record of `runRecord`.
    static let runRecordFields = 11

    static func runRecord(_ run: RunRecord) -> JSONValue {
        .object([
            ("id", .integer(run.id!)), ("experiment_id", .integer(run.experimentID)),
            ("configuration", .string(run.configurationLabel)), ("repeat_index", .integer(run.repeatIndex)),
            ("run_seed", .integer(run.runSeed)), ("status", .string(run.status.rawValue)),
            ("final_train_rmse", .number(run.finalTrainRMSE)), ("final_test_rmse", .number(run.finalTestRMSE)),
            ("failed_epoch", .integer(run.failedEpoch)), ("started_at", .string(run.startedAt)),
            ("ended_at", .string(run.endedAt)),
        ])
    }

    static func configurations(_ listings: [ConfigurationListing]) -> JSONValue {
        .array(listings.map {
            .object([("experiment_id", .integer($0.experimentID)), ("experiment", .string($0.experiment)),
                     ("configuration", .string($0.label)), ("finished", .integer($0.finished))])
        })
    }

    /// One record per configuration: its mean and quartiles of train and test RMSE at the sampled epochs.
    static func aggregatedCurves(_ curves: [ConfigurationCurves], sampling: EpochSampling) -> JSONValue {
        .array(curves.map { item in
            let s = item.summary
            let kept = sampling.indices(of: s.epochs)
            return .object([
                ("experiment_id", .integer(item.experimentID)), ("experiment", .string(item.experiment)),
                ("configuration", .string(item.label)), ("runs", .integer(item.runIDs.count)),
                ("best_epoch", .integer(s.diagnostics.bestEpoch)),
                ("overfitting_onset", .integer(s.diagnostics.overfittingOnset)),
                ("epoch", .integers(s.epochs.picking(kept))),
                ("train_mean", .numbers(s.meanTrain.picking(kept))),
                ("train_q25", .numbers(s.trainQuartiles.low.picking(kept))),
                ("train_q75", .numbers(s.trainQuartiles.high.picking(kept))),
                ("test_mean", .numbers(s.meanTest.picking(kept))),
                ("test_q25", .numbers(s.testQuartiles.low.picking(kept))),
                ("test_q75", .numbers(s.testQuartiles.high.picking(kept))),
            ])
        })
    }

    /// One record per run of the configurations: its train and test RMSE at the sampled epochs.
    static func runCurves(_ curves: [ConfigurationCurves], sampling: EpochSampling) -> JSONValue {
        .array(curves.flatMap { item in
            let kept = sampling.indices(of: item.summary.epochs)
            let epochs = JSONValue.integers(item.summary.epochs.picking(kept))
            return zip(item.runIDs, item.summary.runCurves).map { id, curve in
                JSONValue.object([
                    ("run_id", .integer(id)), ("experiment_id", .integer(item.experimentID)),
                    ("experiment", .string(item.experiment)), ("configuration", .string(item.label)),
                    ("epoch", epochs), ("train_rmse", .numbers(curve.train.picking(kept))),
                    ("test_rmse", .numbers(curve.test.picking(kept))),
                ])
            }
        })
    }

    /// One run's epochs as columns of equal length.
    static func epochs(_ curve: [EpochRecord], sampling: EpochSampling) -> JSONValue {
        let kept = sampling.indices(of: curve.map(\.epoch))
        let rows = curve.picking(kept)
        return .object([("epoch", .integers(rows.map(\.epoch))), ("train_rmse", .numbers(rows.map(\.trainRMSE))),
                        ("test_rmse", .numbers(rows.map(\.testRMSE))), ("loss", .numbers(rows.map(\.loss)))])
    }

    /// Everything about one run, flat.
    static func run(_ details: RunDetails, snapshotEpochs: [Int]) -> JSONValue {
        let record = details.record, experiment = details.experiment, training = details.configuration.training
        let penalties = details.configuration.configuration.regularization
        guard case .object(let base) = runRecord(record) else { return .null }
        var members = base
        members.insert(("experiment", .string(experiment.name)), at: 2)
        members += [
            ("experiment_seed", .integer(experiment.seed)), ("profile", .string(training.profile.name)),
            ("units", .integer(training.units)), ("batch", .integer(training.batchSize)), ("lag", .integer(training.lag)),
            ("test_size", .integer(training.testSize)), ("epochs", .integer(training.epochs)),
            ("learning_rate", .number(training.learningRate)),
            ("kernel", .string(penalties.kernel.label)), ("recurrent_kernel", .string(penalties.recurrentKernel.label)),
            ("bias", .string(penalties.bias.label)), ("activity", .string(penalties.activity.label)),
            ("error", .string(record.error)), ("numerics_version", .integer(record.numericsVersion)),
            ("best_epoch", .integer(details.bestEpoch?.epoch)), ("best_test_rmse", .number(details.bestEpoch?.testRMSE)),
            ("checkpoint", .string(details.checkpoint == nil ? nil : "/runs/\(record.id!)/checkpoint.h5")),
            ("checkpoint_state", .string(details.checkpoint.map { "\($0.state)" })),
            ("checkpoint_sha256", .string(record.checkpointSHA256)),
            ("snapshot_epochs", .integers(snapshotEpochs)), ("recreate_command", .string(details.recreateCommand)),
            // Where this run was trained (shards of one experiment may run on different machines).
            ("product_version", .string(record.productVersion)), ("git_commit", .string(record.gitCommit)),
            ("host", .string(record.host)), ("engine", .string(record.engine)),
        ]
        return .object(members)
    }

    /// The forecast of each test month beside the observed value, then the month after the series (observed null).
    static func forecast(_ forecast: CheckpointForecast) -> JSONValue {
        .array((forecast.testMonths + [forecast.nextMonth]).map {
            .object([("epoch", .integer(forecast.epoch)), ("month", .string($0.month)), ("forecast", .number($0.forecast)),
                     ("observed", .number($0.observed))])
        })
    }
}
