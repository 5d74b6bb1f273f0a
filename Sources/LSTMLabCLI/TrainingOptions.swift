import ArgumentParser
import Experiment
import Foundation
import NeuralNetwork

/// How much to train and from which seed: shared by `run`, `study` and `slurm`. An option not given takes the
/// experiment file's value, else its default (`ExperimentValues`).
struct ScaleOptions: ParsableArguments {
    @Option(name: .long, help: "Number of repeats of each configuration, each from its own seed (default: \(ExperimentDefaults.repeats)).")
    var repeats: Int?

    @Option(name: .long, help: "Training epochs of each run (default: \(ExperimentDefaults.epochs)).")
    var epochs: Int?

    @Option(name: .long, help: "The experiment seed; every run seed is derived from it, the configuration and the repeat (default: \(ExperimentDefaults.seed)).")
    var seed: UInt64?

    /// The values given.
    var values: ExperimentValues {
        ExperimentValues(seed: seed, repeats: repeats, settings: SettingOverrides(epochs: epochs))
    }
}

/// Where the runs train: on how many cores of this machine, and which shard of them: shared by `run` and `study`.
struct ExecutionOptions: ParsableArguments {
    @Option(name: .long, help: "Parallel training jobs (default: all cores); results do not depend on it.")
    var jobs: Int?

    @Option(name: .long, help: ArgumentHelp(
        "Train only shard K of N of each experiment's runs (run i goes to shard i mod N), into this archive; "
            + "`lstmlab merge` joins the shards. Results do not depend on it.", valueName: "K/N"))
    var shard: String?

    @Flag(name: .customLong("take-over"), help: ArgumentHelp(
        "Also redo runs that a process on another host left running (it cannot be checked from here): for a task "
            + "retried after its first attempt died with its machine."))
    var takeOver = false

    /// The job count, checked.
    func jobCount() throws -> Int { try resolveJobCount(jobs) }

    /// The shard asked for, checked; nil for every run.
    func parsedShard() throws -> Shard? { try shard.map { try Shard(parsing: $0) } }
}

/// The settings shared by every run of an experiment. An option not given takes the experiment file's value, else
/// its default (`ExperimentValues`).
struct TrainingOptions: ParsableArguments {
    @Option(name: .long, help: "Keras behaviour to match: keras2 (hard sigmoid, Adam ε 1e-8; the study's era) or keras3 (logistic sigmoid, ε 1e-7) (default: \(ExperimentDefaults.profile.name)).")
    var profile: KerasProfile?

    @OptionGroup var scale: ScaleOptions

    @Option(name: .long, help: "LSTM units (default: \(ExperimentDefaults.units)).")
    var units: Int?

    @Option(name: .long, help: "Batch size (training rows are trimmed to a multiple of it) (default: \(ExperimentDefaults.batchSize)).")
    var batch: Int?

    @Option(name: .long, help: "Number of past differences used as inputs (default: \(ExperimentDefaults.lag)).")
    var lag: Int?

    @Option(name: .customLong("test-size"), help: "Number of final months held out as the test set (default: \(ExperimentDefaults.testSize)).")
    var testSize: Int?

    @Option(name: .customLong("learning-rate"), help: "Adam's learning rate (default: \(ExperimentDefaults.learningRate)).")
    var learningRate: Double?

    @Option(name: .long, parsing: .unconditional, help: "Input dropout rate, from 0 to below 1 (default: 0).")
    var dropout: Double?

    @Option(name: .customLong("recurrent-dropout"), parsing: .unconditional, help: "Recurrent dropout rate, from 0 to below 1 (default: 0).")
    var recurrentDropout: Double?

    @Option(name: .long, help: ArgumentHelp("Carry the state from batch to batch (true) or start every batch from zero (false) (default: true).", valueName: "true|false"))
    var stateful: Bool?

    @Option(name: .long, help: ArgumentHelp("Feed the training rows in a fresh random order each epoch (default: false).", valueName: "true|false"))
    var shuffle: Bool?

    @Option(name: .long, help: "How the test months are forecast: one-shot (in batches) or walk-forward (one month at a time, the state carried) (default: one-shot).")
    var forecast: ForecastMode?

    @Option(name: .customLong("seed-state"), help: ArgumentHelp("Predict the training rows before forecasting the test months, to seed the state (default: false).", valueName: "true|false"))
    var seedState: Bool?

    @Option(name: .customLong("lag-as"), help: "The lagged differences as features of one timestep or as timesteps of one feature (default: features).")
    var lagAs: LagLayout?

    @Option(name: .customLong("train-rows"), parsing: .unconditional, help: "Train on the last N training rows only, the scaler fitted on them (default: 0, all).")
    var trainRows: Int?

    @Option(name: .customLong("skip-rows"), parsing: .unconditional, help: "Drop the first N scaled training rows before trimming to a multiple of the batch (default: 0).")
    var skipRows: Int?

    @Option(name: .customLong("zero-pad"), help: ArgumentHelp("Also frame the first months, their missing lagged differences 0 (default: false).", valueName: "true|false"))
    var zeroPad: Bool?

    /// The values given on the command line.
    var values: ExperimentValues {
        var values = scale.values
        values.profile = profile
        var settings = SettingOverrides(units: units, batchSize: batch, lag: lag, testSize: testSize,
                                        epochs: scale.epochs, learningRate: learningRate)
        settings.set(.dropout, dropout)
        settings.set(.recurrentDropout, recurrentDropout)
        settings.set(.stateful, stateful.map { $0 ? 1 : 0 })
        settings.set(.shuffle, shuffle.map { $0 ? 1 : 0 })
        settings.set(.forecast, forecast.map { Double(ForecastMode.allCases.firstIndex(of: $0)!) })
        settings.set(.seedState, seedState.map { $0 ? 1 : 0 })
        settings.set(.lagAs, lagAs.map { Double(LagLayout.allCases.firstIndex(of: $0)!) })
        settings.set(.trainRows, trainRows.map(Double.init))
        settings.set(.skipRows, skipRows.map(Double.init))
        settings.set(.zeroPad, zeroPad.map { $0 ? 1 : 0 })
        values.settings = settings
        return values
    }
}

extension ForecastMode: ExpressibleByArgument {}
extension LagLayout: ExpressibleByArgument {}

/// An ad-hoc configuration: `--place kernel --l1 0.01 --l2 0.01`, repeatable for penalties at several places.
struct PenaltyOptions: ParsableArguments {
    @Option(name: .long, help: "Where a penalty applies: kernel, recurrent, bias or activity (repeat for several places).")
    var place: [PenaltyPlace] = []

    @Option(name: .long, help: "L1 coefficient of the penalty at the matching --place.")
    var l1: [Double] = []

    @Option(name: .long, help: "L2 coefficient of the penalty at the matching --place.")
    var l2: [Double] = []

    var isEmpty: Bool { place.isEmpty && l1.isEmpty && l2.isEmpty }

    /// The configuration the flags describe; L1 and L2 default to 0 when given for none of the places.
    func configuration() throws -> ConfigurationSpec {
        guard !place.isEmpty else {
            throw ExperimentError.invalidValue(name: "--l1/--l2", value: "without --place",
                                               allowed: "give --place kernel|recurrent|bias|activity")
        }
        let l1s = l1.isEmpty ? Array(repeating: 0, count: place.count) : l1
        let l2s = l2.isEmpty ? Array(repeating: 0, count: place.count) : l2
        guard l1s.count == place.count, l2s.count == place.count else {
            throw ExperimentError.invalidValue(
                name: "penalties", value: "\(place.count) --place, \(l1.count) --l1, \(l2.count) --l2",
                allowed: "one --l1 and one --l2 per --place (or none)")
        }
        guard Set(place).count == place.count else {
            throw ExperimentError.invalidValue(name: "--place", value: place.map(\.rawValue).joined(separator: ","),
                                               allowed: "each place at most once")
        }
        let penalties = place.indices.map { (place[$0], L1L2(l1: l1s[$0], l2: l2s[$0])) }
        return penalties.count == 1 ? .single(penalties[0].0, penalties[0].1) : .combined(penalties)
    }
}

extension PenaltyPlace: ExpressibleByArgument {}
extension KerasProfile: ExpressibleByArgument {}

/// `--jobs` as given (from 1 to 1024), or all cores.
func resolveJobCount(_ jobs: Int?) throws -> Int {
    guard let jobs else { return min(max(1, ProcessInfo.processInfo.activeProcessorCount), SettingLimits.jobs.upperBound) }
    try checkSetting("jobs", jobs, SettingLimits.jobs)
    return jobs
}
