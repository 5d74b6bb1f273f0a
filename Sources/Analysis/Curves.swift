import Experiment

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
    public init(label: String, curves: [[EpochRecord]]) {
        let epochCount = curves.map(\.count).min() ?? 0
        self.init(label: label, epochs: (0..<epochCount).map { curves[0][$0].epoch },
                  runCurves: curves.map { rows in (rows.prefix(epochCount).map(\.trainRMSE), rows.prefix(epochCount).map(\.testRMSE)) })
    }

    /// Summarises runs' train and test RMSE arrays over `epochs` (arrays longer than `epochs` are cut to it): at each
    /// epoch the mean and the 25 % and 75 % quantiles over the runs.
    public init(label: String, epochs: [Int], runCurves: [(train: [Double], test: [Double])]) {
        self.label = label
        let epochCount = min(epochs.count, runCurves.map { min($0.train.count, $0.test.count) }.min() ?? 0)
        self.epochs = Array(epochs.prefix(epochCount))
        self.runCurves = runCurves.map { (Array($0.train.prefix(epochCount)), Array($0.test.prefix(epochCount))) }
        var meanTrain: [Double] = [], meanTest: [Double] = []
        var trainLow: [Double] = [], trainHigh: [Double] = [], testLow: [Double] = [], testHigh: [Double] = []
        meanTrain.reserveCapacity(epochCount)
        meanTest.reserveCapacity(epochCount)
        // Reused buffers: the epoch's values in run order (for the means), and the same sorted in place.
        var train = [Double](repeating: 0, count: runCurves.count), test = train
        var sortedTrain = train, sortedTest = train
        for index in 0..<epochCount {
            for run in runCurves.indices {
                train[run] = runCurves[run].train[index]
                test[run] = runCurves[run].test[index]
                sortedTrain[run] = train[run]
                sortedTest[run] = test[run]
            }
            meanTrain.append(sampleMean(train))
            meanTest.append(sampleMean(test))
            sortedTrain.sort()
            sortedTest.sort()
            trainLow.append(quantile(sorted: sortedTrain, 0.25))
            trainHigh.append(quantile(sorted: sortedTrain, 0.75))
            testLow.append(quantile(sorted: sortedTest, 0.25))
            testHigh.append(quantile(sorted: sortedTest, 0.75))
        }
        self.meanTrain = meanTrain
        self.meanTest = meanTest
        trainQuartiles = (trainLow, trainHigh)
        testQuartiles = (testLow, testHigh)
        diagnostics = CurveDiagnostics(epochs: self.epochs, meanTrain: meanTrain, meanTest: meanTest)
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
