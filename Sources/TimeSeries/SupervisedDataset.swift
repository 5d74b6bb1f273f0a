/// How a series is turned into the study's supervised learning problem.
public struct FramingOptions: Sendable, Equatable, Codable, Hashable {
    /// Number of past differences used as inputs (≥ 1).
    public var lag: Int
    /// Number of final rows held out as the test set (≥ 1).
    public var testSize: Int
    /// The training rows are trimmed to a multiple of this (≥ 1).
    public var batchSize: Int
    /// The training set is only the last this many training rows (nil: all): the scaler is fitted on them.
    public var trainRows: Int?
    /// Scaled training rows dropped from the front before the trimming (nil: none), e.g. a listing's
    /// `train_scaled[2:]` whatever the batch size.
    public var skipRows: Int?
    /// Also frame the first `lag` months, their missing lagged differences 0 (a listing's `fillna(0)` without
    /// dropping the rows): `lag` more training rows.
    public var zeroPad: Bool?

    public init(lag: Int = 1, testSize: Int = 12, batchSize: Int = 4, trainRows: Int? = nil, skipRows: Int? = nil,
                zeroPad: Bool? = nil) {
        self.lag = lag
        self.testSize = testSize
        self.batchSize = batchSize
        self.trainRows = trainRows
        self.skipRows = skipRows
        self.zeroPad = zeroPad
    }
}

/// One side (train or test) of the supervised problem: scaled inputs and targets, and what is needed to turn
/// a scaled prediction back into a sales forecast.
public struct SupervisedRows: Sendable, Equatable {
    /// Scaled inputs, row-major `[rowCount × lag]`, most recent difference first.
    public var inputs: [Double]
    /// Scaled targets `[rowCount]`.
    public var targets: [Double]
    /// The observation before each target month, `sales[t]`, added back when inverting the difference.
    public var previousObservations: [Double]
    /// The observation each row forecasts, `sales[t + 1]`.
    public var observed: [Double]
    /// Labels of the forecast months.
    public var labels: [String]

    public var count: Int { targets.count }
}

/// The harness of SPEC §2: difference, frame with `lag` inputs, split off the last `testSize` rows, fit a
/// [-1, 1] min-max scaler on the training rows, trim the training rows' first rows to a multiple of the batch size.
public struct SupervisedDataset: Sendable, Equatable {
    public let options: FramingOptions
    public let scaler: MinMaxScaler
    public let train: SupervisedRows
    public let test: SupervisedRows
    /// Training rows dropped from the front: those before the last `trainRows`, the `skipRows` after them, then so
    /// that the rest is a multiple of the batch size.
    public let trimmedRowCount: Int
    /// Scaled inputs `[lag]` for the month after the series ends: the last `lag` differences, most recent first.
    public let nextInputs: [Double]
    /// The last observation, to which the next month's forecast difference is added.
    public let lastObservation: Double

    public var lag: Int { options.lag }

    public init(series: Series, options: FramingOptions) throws {
        let values = series.values
        for (name, value) in [("lag", options.lag), ("test size", options.testSize), ("batch size", options.batchSize)]
        where value < 1 {
            throw TimeSeriesError.invalidParameter(name: name, value: value, allowed: "must be at least 1")
        }
        let lag = options.lag
        // 1 + lag + test size + batch size observations are needed (no lag rows with zero padding); summed without
        // overflow, so that absurd settings are reported rather than trapped.
        var needed = 1
        for value in [options.zeroPad == true ? 0 : lag, options.testSize, options.batchSize] {
            let (sum, overflow) = needed.addingReportingOverflow(value)
            needed = overflow ? Int.max : sum
        }
        guard values.count >= needed else {
            throw TimeSeriesError.tooFewObservations(
                count: values.count, needed: needed,
                reason: "lag \(lag), test size \(options.testSize) and at least one training batch of \(options.batchSize)")
        }
        guard Self.hasOneLabelPerValue(series) else {
            throw TimeSeriesError.invalidParameter(name: "series labels", value: series.labels.count,
                                                   allowed: "one label per value (\(values.count))")
        }
        let differenceCount = values.count - 1
        // With zero padding the first row frames diff[0]; else diff[lag], the first with all its inputs.
        let firstTarget = options.zeroPad == true ? 0 : lag
        let rowCount = differenceCount - firstTarget
        let trainCount = rowCount - options.testSize
        // diff[t] = sales[t+1] - sales[t]
        let difference = (0..<differenceCount).map { values[$0 + 1] - values[$0] }
        // Row r frames target diff[t] with t = r + firstTarget, inputs diff[t-1], …, diff[t-lag] (0 before diff[0]).
        let rawRows: [[Double]] = (0..<rowCount).map { row in
            let t = row + firstTarget
            return (1...lag).map { t - $0 >= 0 ? difference[t - $0] : 0 } + [difference[t]]
        }
        if let trainRows = options.trainRows, trainRows > trainCount {
            throw TimeSeriesError.invalidParameter(name: "train rows", value: trainRows,
                                                   allowed: "must be at most the \(trainCount) training rows")
        }
        let kept = min(trainCount, options.trainRows ?? trainCount)
        let trainStart = trainCount - kept
        let scaler = MinMaxScaler(fittingRows: Array(rawRows[trainStart..<trainCount]))
        for column in 0..<scaler.columnCount where !(scaler.scales[column].isFinite && scaler.offsets[column].isFinite) {
            throw TimeSeriesError.unscalableSeries(minimum: scaler.minimums[column], maximum: scaler.maximums[column])
        }
        let skipped = min(kept, options.skipRows ?? 0)
        let usable = kept - skipped
        guard usable >= options.batchSize else {
            let what = options.skipRows == nil ? "train rows" : "skip rows"
            throw TimeSeriesError.invalidParameter(
                name: what, value: options.skipRows ?? kept,
                allowed: "must leave at least one batch of \(options.batchSize) of the \(kept) training rows (\(usable) left)")
        }
        let trimmed = trainCount - usable + usable % options.batchSize

        func rows(_ range: Range<Int>) -> SupervisedRows {
            var result = SupervisedRows(inputs: [], targets: [], previousObservations: [], observed: [], labels: [])
            for row in range {
                let scaled = scaler.scale(row: rawRows[row])
                result.inputs += scaled[..<lag]
                result.targets.append(scaled[lag])
                let t = row + firstTarget
                result.previousObservations.append(values[t])
                result.observed.append(values[t + 1])
                result.labels.append(series.labels[t + 1])
            }
            return result
        }
        self.options = options
        self.scaler = scaler
        self.trimmedRowCount = trimmed
        self.train = rows(trimmed..<trainCount)
        self.test = rows(trainCount..<rowCount)
        self.nextInputs = (0..<lag).map { scaler.scale(difference[differenceCount - 1 - $0], column: $0) }
        self.lastObservation = values[values.count - 1]
    }

    /// Whether the series has one label per value (a decoded series might not).
    private static func hasOneLabelPerValue(_ series: Series) -> Bool { series.labels.count == series.values.count }

    /// A scaled prediction of the difference, turned into a sales forecast:
    /// `forecast = invert(yhat) + previous observation`.
    @inlinable public func forecast(scaledPrediction: Double, previousObservation: Double) -> Double {
        scaler.invert(scaledPrediction, column: lag) + previousObservation
    }

    /// Sales forecasts for the rows of one side, from their scaled predictions.
    public func forecasts(_ scaledPredictions: [Double], for rows: SupervisedRows) -> [Double] {
        precondition(scaledPredictions.count == rows.count, "one prediction per row")
        return zip(scaledPredictions, rows.previousObservations).map {
            forecast(scaledPrediction: $0, previousObservation: $1)
        }
    }
}
