import Experiment
import TimeSeries

/// Errors a user can cause when asking for analyses; each message is one line.
public enum AnalysisError: Error, Equatable, CustomStringConvertible {
    case noFinishedRuns(experiment: String)
    case unknownConfiguration(String, experiment: String, known: [String])
    case epochMismatch(String, Int, String, Int)
    case noBaseline(experiment: String)

    public var description: String {
        switch self {
        case .noFinishedRuns(let experiment):
            return "experiment '\(experiment)' has no finished runs (run it first)"
        case .unknownConfiguration(let label, let experiment, let known):
            return "experiment '\(experiment)' has no configuration '\(label)'; its configurations are "
                + known.map { "'\($0)'" }.joined(separator: ", ")
        case .epochMismatch(let a, let epochsA, let b, let epochsB):
            return "cannot compare '\(a)' (\(epochsA) epochs) with '\(b)' (\(epochsB) epochs): the numbers of epochs differ"
        case .noBaseline(let experiment):
            return "experiment '\(experiment)' has no unregularized configuration L1L2(0.00,0.00) to compare with"
        }
    }
}

/// The finished runs of one configuration of an experiment, as values: its scores and run ids.
public struct ConfigurationResults: Sendable {
    public var experiment: String
    public var configuration: ConfigurationSpec
    public var epochs: Int
    /// Finished runs' ids, by repeat index.
    public var runIDs: [Int64]
    /// Final test RMSE of each finished run, by repeat index.
    public var scores: [Double]
    /// Failed runs (not scored).
    public var failedCount: Int

    public init(experiment: String, configuration: ConfigurationSpec, epochs: Int, runIDs: [Int64], scores: [Double],
                failedCount: Int) {
        self.experiment = experiment
        self.configuration = configuration
        self.epochs = epochs
        self.runIDs = runIDs
        self.scores = scores
        self.failedCount = failedCount
    }

    public var label: String { configuration.label }
}

/// An experiment's results: its specification and, per configuration in the specification's order, its finished
/// runs' scores.
public struct ExperimentResults: Sendable {
    public var name: String
    public var spec: ExperimentSpec
    /// The lstmlab version that registered the experiment.
    public var productVersion: String
    /// The series it was trained on.
    public var series: Series
    /// Configurations with at least one finished run, in the specification's order.
    public var configurations: [ConfigurationResults]
    /// The experiment file to show with the results: the one it was run from, or one written from its specification
    /// when its configurations vary settings (nil for presets and ad-hoc configurations run from the command line).
    public var experimentFile: String?

    /// Runs the specification asks for (configurations × repeats).
    public var expectedCount: Int { spec.configurations.count * spec.repeats }
    /// Runs neither finished nor failed: not trained yet, interrupted, or being trained.
    public var unfinishedCount: Int { max(0, expectedCount - finishedCount - failedCount) }
    /// Whether every run the specification asks for is finished or failed.
    public var isComplete: Bool { unfinishedCount == 0 }
    /// One sentence when runs are missing, for the analyses to say they cover the finished runs only.
    public var incompleteness: String? {
        guard !isComplete else { return nil }
        return "experiment '\(name)' is incomplete: \(finishedCount) of \(expectedCount) runs finished, \(unfinishedCount) not "
            + "trained yet or still running (run it again to finish); these results cover the finished runs only"
    }

    public init(name: String, spec: ExperimentSpec, productVersion: String, series: Series,
                configurations: [ConfigurationResults]) throws {
        guard !configurations.isEmpty else { throw AnalysisError.noFinishedRuns(experiment: name) }
        self.name = name
        self.spec = spec
        self.productVersion = productVersion
        self.series = series
        self.configurations = configurations
    }

    public func configuration(_ label: String) throws -> ConfigurationResults {
        guard let found = configurations.first(where: { $0.label == label }) else {
            throw AnalysisError.unknownConfiguration(label, experiment: name, known: configurations.map(\.label))
        }
        return found
    }

    /// The unregularized configuration, if the experiment has one.
    public var baseline: ConfigurationResults? { configurations.first { $0.configuration.isBaseline } }

    /// Finished runs over all configurations.
    public var finishedCount: Int { configurations.reduce(0) { $0 + $1.runIDs.count } }
    /// Failed runs over all configurations.
    public var failedCount: Int { configurations.reduce(0) { $0 + $1.failedCount } }
}
