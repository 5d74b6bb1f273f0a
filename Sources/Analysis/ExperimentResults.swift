import Archive
import Experiment
import Foundation
import Network

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

/// The finished runs of one configuration of an experiment.
public struct ConfigurationResults: Sendable {
    public var experiment: String
    public var configuration: ConfigurationSpec
    public var epochs: Int
    /// Finished runs, by repeat index.
    public var runs: [RunRecord]
    /// Failed runs (not scored).
    public var failedCount: Int

    public var label: String { configuration.label }
    /// Final test RMSE of each finished run, by repeat index.
    public var scores: [Double] { runs.compactMap(\.finalTestRMSE) }
    public var runIDs: [Int64] { runs.map { $0.id! } }
}

/// An experiment as the archive holds it: its specification and, per configuration in the specification's order,
/// its finished runs.
public struct ExperimentResults: Sendable {
    public var record: ExperimentRecord
    public var spec: ExperimentSpec
    /// Configurations with at least one finished run, in the specification's order.
    public var configurations: [ConfigurationResults]

    public var name: String { record.name }

    /// Loads an experiment's finished runs; an unknown experiment or one without finished runs is an error.
    public static func load(_ name: String, from store: ArchiveStore) throws -> ExperimentResults {
        let record = try store.experiment(named: name)
        let spec = try record.spec()
        let runs = try store.runs(experimentID: record.id!)
        let configurations: [ConfigurationResults] = spec.configurations.compactMap { configuration in
            let mine = runs.filter { $0.configurationLabel == configuration.label }
            let finished = mine.filter { $0.status == .finished }.sorted { $0.repeatIndex < $1.repeatIndex }
            guard !finished.isEmpty else { return nil }
            return ConfigurationResults(experiment: name, configuration: configuration, epochs: spec.training.epochs,
                                        runs: finished, failedCount: mine.filter { $0.status == .failed }.count)
        }
        guard !configurations.isEmpty else { throw AnalysisError.noFinishedRuns(experiment: name) }
        return ExperimentResults(record: record, spec: spec, configurations: configurations)
    }

    public func configuration(_ label: String) throws -> ConfigurationResults {
        guard let found = configurations.first(where: { $0.label == label }) else {
            throw AnalysisError.unknownConfiguration(label, experiment: name, known: configurations.map(\.label))
        }
        return found
    }

    /// The unregularized configuration, if the experiment has one.
    public var baseline: ConfigurationResults? { configurations.first { $0.configuration.isBaseline } }
}

/// Mean, quartile bands and diagnostics of one configuration's curves.
public struct CurveSummary: Sendable {
    public var label: String
    public var epochs: [Int]
    public var meanTrain: [Double]
    public var meanTest: [Double]
    public var trainQuartiles: (low: [Double], high: [Double])
    public var testQuartiles: (low: [Double], high: [Double])
    public var runCurves: [(train: [Double], test: [Double])]
    public var diagnostics: CurveDiagnostics

    /// Summarises the curves of a configuration's runs (all must have the same epochs).
    public init(label: String, curves: [[EpochRow]]) {
        self.label = label
        let epochCount = curves.map(\.count).min() ?? 0
        epochs = (0..<epochCount).map { curves[0][$0].epoch }
        runCurves = curves.map { rows in (rows.prefix(epochCount).map(\.trainRMSE), rows.prefix(epochCount).map(\.testRMSE)) }
        func column(_ index: Int, _ key: KeyPath<EpochRow, Double>) -> [Double] { curves.map { $0[index][keyPath: key] } }
        var meanTrain: [Double] = [], meanTest: [Double] = []
        var trainLow: [Double] = [], trainHigh: [Double] = [], testLow: [Double] = [], testHigh: [Double] = []
        for index in 0..<epochCount {
            let train = column(index, \.trainRMSE), test = column(index, \.testRMSE)
            meanTrain.append(sampleMean(train))
            meanTest.append(sampleMean(test))
            let sortedTrain = train.sorted(), sortedTest = test.sorted()
            trainLow.append(quantile(sorted: sortedTrain, 0.25))
            trainHigh.append(quantile(sorted: sortedTrain, 0.75))
            testLow.append(quantile(sorted: sortedTest, 0.25))
            testHigh.append(quantile(sorted: sortedTest, 0.75))
        }
        self.meanTrain = meanTrain
        self.meanTest = meanTest
        trainQuartiles = (trainLow, trainHigh)
        testQuartiles = (testLow, testHigh)
        diagnostics = CurveDiagnostics(epochs: epochs, meanTrain: meanTrain, meanTest: meanTest)
    }

    /// The chart series, with at most `faintRuns` runs' own curves.
    public func chartSeries(label: String? = nil, faintRuns: Int) -> CurveSeries {
        CurveSeries(label: label ?? self.label, epochs: epochs, meanTrain: meanTrain, meanTest: meanTest,
                    trainBand: trainQuartiles, testBand: testQuartiles, runs: Array(runCurves.prefix(faintRuns)))
    }
}

/// What the mean curves say about over- and under-fitting.
///
/// Over-fitting onset rule: smooth the mean train and test curves with a centred moving average of 51 epochs
/// (truncated at the ends); the onset is the epoch of the smoothed test curve's minimum, provided that after it the
/// smoothed test RMSE ends at least 1.0 (sales) higher while the smoothed train RMSE ends lower: test rising while
/// train keeps falling. Otherwise there is no onset (the model is still improving, or both curves rise).
public struct CurveDiagnostics: Sendable, Equatable, Codable {
    /// The epoch of the lowest mean test RMSE, and that RMSE.
    public var bestEpoch: Int
    public var bestTestRMSE: Double
    public var finalTestRMSE: Double
    public var finalTrainRMSE: Double
    /// Mean test − mean train RMSE at the last epoch.
    public var finalGap: Double { finalTestRMSE - finalTrainRMSE }
    public var overfittingOnset: Int?

    public static let smoothingWindow = 51
    public static let minimumRise = 1.0

    public init(epochs: [Int], meanTrain: [Double], meanTest: [Double]) {
        precondition(!epochs.isEmpty, "diagnostics need at least one epoch")
        let best = meanTest.indices.min { meanTest[$0] < meanTest[$1] }!
        bestEpoch = epochs[best]
        bestTestRMSE = meanTest[best]
        finalTestRMSE = meanTest[meanTest.count - 1]
        finalTrainRMSE = meanTrain[meanTrain.count - 1]
        let smoothTest = movingAverage(meanTest, window: Self.smoothingWindow)
        let smoothTrain = movingAverage(meanTrain, window: Self.smoothingWindow)
        let minimum = smoothTest.indices.min { smoothTest[$0] < smoothTest[$1] }!
        let last = smoothTest.count - 1
        if minimum < last, smoothTest[last] - smoothTest[minimum] >= Self.minimumRise,
           smoothTrain[last] < smoothTrain[minimum] {
            overfittingOnset = epochs[minimum]
        } else {
            overfittingOnset = nil
        }
    }
}

/// Centred moving average, the window truncated at both ends.
func movingAverage(_ values: [Double], window: Int) -> [Double] {
    let half = window / 2
    var prefix = [0.0]
    for value in values { prefix.append(prefix.last! + value) }
    return values.indices.map { index in
        let low = max(0, index - half), high = min(values.count, index + half + 1)
        return (prefix[high] - prefix[low]) / Double(high - low)
    }
}

extension ConfigurationResults {
    /// The configuration's curve summary, from the archive.
    public func curveSummary(from store: ArchiveStore, label: String? = nil) throws -> CurveSummary {
        let curves = try store.curves(runIDs: runIDs)
        return CurveSummary(label: label ?? self.label, curves: runIDs.map { curves[$0] ?? [] })
    }
}
