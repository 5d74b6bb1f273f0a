import Experiment
import Foundation
import Testing
import TimeSeries

// Expected values in this file are computed by hand from the first rows of the shampoo series
// (Sources/TimeSeries/Resources/shampoo-sales.csv): 266.0, 145.9, 183.1, 119.3, 180.3, ...
//
//   diff[0] = 145.9 − 266.0 = −120.1      diff[1] = 183.1 − 145.9 = 37.2
//   diff[2] = 119.3 − 183.1 = −63.8       diff[3] = 180.3 − 119.3 = 61.0
//
// Lag 1, the 22 training rows t = 1…22: both columns range over diff[0…22]. Their minimum is
// diff[21] = 264.5 − 421.6 = −157.1 and their maximum diff[9] = 336.5 − 122.9 = 213.6, so the scaler maps
// x ↦ 2·(x + 157.1)/370.7 − 1 in both columns.
// Lag 2, the 21 training rows t = 2…22: column 0 (diff[t−1]) and the target range over −157.1 … 213.6 as above;
// column 1 (diff[t−2], t − 2 ≤ 20) does not see diff[21]: its minimum is diff[10] = 185.9 − 336.5 = −150.6 and its
// maximum 213.6, so x ↦ 2·(x + 150.6)/364.2 − 1.

private func scaledLag1(_ x: Double) -> Double { 2 * (x + 157.1) / 370.7 - 1 }
private func scaledLag2Column1(_ x: Double) -> Double { 2 * (x + 150.6) / 364.2 - 1 }

@Suite("Transforms: differencing, framing, split, scaling, trimming")
struct TransformTests {
    let series = Series.shampooSales()

    @Test("The shipped series is the 36 months of the CSV")
    func shippedSeries() throws {
        #expect(series.values.count == 36)
        #expect(Array(series.values.prefix(5)) == [266.0, 145.9, 183.1, 119.3, 180.3])
        #expect(series.values.last == 646.9)
        #expect(series.labels.first == "1-01")
        #expect(series.labels.last == "3-12")
        // The same file read through the public CSV loader (the resource in the source tree).
        let csv = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/TimeSeries/Resources/shampoo-sales.csv")
        let loaded = try Series.load(csvAt: csv.path, column: .name("Sales"))
        #expect(loaded.values == series.values)
        #expect(loaded.labels == series.labels)
    }

    @Test("Lag 1: row counts, trimming and the first scaled rows")
    func lag1Framing() throws {
        let dataset = try SupervisedDataset(series: series, options: FramingOptions(lag: 1, testSize: 12, batchSize: 4))
        // 35 differences − 1 lag = 34 rows; 12 test; 22 train, trimmed by 2 to 20 for batch 4.
        #expect(dataset.trimmedRowCount == 2)
        #expect(dataset.train.count == 20)
        #expect(dataset.test.count == 12)
        #expect(dataset.train.inputs.count == 20)
        #expect(dataset.test.inputs.count == 12)

        // Scaler: both columns fitted on min −157.1, max 213.6.
        #expect(dataset.scaler.columnCount == 2)
        for column in 0..<2 {
            #expect(abs(dataset.scaler.minimums[column] - -157.1) < 1e-9)
            #expect(abs(dataset.scaler.maximums[column] - 213.6) < 1e-9)
        }

        // The first kept training row is raw row 2 (t = 3): input diff[2] = −63.8, target diff[3] = 61.0.
        #expect(abs(dataset.train.inputs[0] - scaledLag1(-63.8)) < 1e-12)
        #expect(abs(dataset.train.targets[0] - scaledLag1(61.0)) < 1e-12)
        #expect(dataset.train.previousObservations[0] == 119.3)
        #expect(dataset.train.observed[0] == 180.3)
        #expect(dataset.train.labels[0] == "1-05")
        // Row t = 4: input diff[3] = 61.0, target diff[4] = 168.5 − 180.3 = −11.8.
        #expect(abs(dataset.train.inputs[1] - scaledLag1(61.0)) < 1e-12)
        #expect(abs(dataset.train.targets[1] - scaledLag1(-11.8)) < 1e-12)
        // Consecutive rows chain: each input is the previous row's target (lag 1).
        for row in 1..<dataset.train.count {
            #expect(dataset.train.inputs[row] == dataset.train.targets[row - 1])
        }

        // First test row, t = 23: input diff[22] = 342.3 − 264.5 = 77.8, target diff[23] = 339.7 − 342.3 = −2.6.
        #expect(abs(dataset.test.inputs[0] - scaledLag1(77.8)) < 1e-12)
        #expect(abs(dataset.test.targets[0] - scaledLag1(-2.6)) < 1e-12)
        #expect(dataset.test.previousObservations[0] == 342.3)
        #expect(dataset.test.observed[0] == 339.7)
        #expect(dataset.test.labels[0] == "3-01")
        // Last test row, t = 34: input diff[33] = 581.3 − 475.3 = 106.0, target diff[34] = 646.9 − 581.3 = 65.6.
        #expect(abs(dataset.test.inputs[11] - scaledLag1(106.0)) < 1e-12)
        #expect(abs(dataset.test.targets[11] - scaledLag1(65.6)) < 1e-12)
        #expect(dataset.test.previousObservations[11] == 581.3)
        #expect(dataset.test.observed == Array(series.values.suffix(12)))
        #expect(dataset.test.labels == Array(series.labels.suffix(12)))
    }

    @Test("Lag 2: most recent difference first, row counts, per-column scaling")
    func lag2Framing() throws {
        let dataset = try SupervisedDataset(series: series, options: FramingOptions(lag: 2, testSize: 12, batchSize: 4))
        // 35 − 2 = 33 rows; 12 test; 21 train, trimmed by 1 to 20.
        #expect(dataset.trimmedRowCount == 1)
        #expect(dataset.train.count == 20)
        #expect(dataset.test.count == 12)
        #expect(dataset.train.inputs.count == 40)
        #expect(dataset.test.inputs.count == 24)
        #expect(abs(dataset.scaler.minimums[1] - -150.6) < 1e-9)
        #expect(abs(dataset.scaler.maximums[1] - 213.6) < 1e-9)
        #expect(abs(dataset.scaler.minimums[0] - -157.1) < 1e-9)
        #expect(abs(dataset.scaler.minimums[2] - -157.1) < 1e-9)

        // First kept row is raw row 1 (t = 3): inputs (diff[2], diff[1]) = (−63.8, 37.2), target diff[3] = 61.0.
        #expect(abs(dataset.train.inputs[0] - scaledLag1(-63.8)) < 1e-12)
        #expect(abs(dataset.train.inputs[1] - scaledLag2Column1(37.2)) < 1e-12)
        #expect(abs(dataset.train.targets[0] - scaledLag1(61.0)) < 1e-12)
        #expect(dataset.train.previousObservations[0] == 119.3)
        // First test row, t = 23: inputs (diff[22], diff[21]) = (77.8, −157.1), target −2.6.
        #expect(abs(dataset.test.inputs[0] - scaledLag1(77.8)) < 1e-12)
        #expect(abs(dataset.test.inputs[1] - scaledLag2Column1(-157.1)) < 1e-12)
        #expect(abs(dataset.test.targets[0] - scaledLag1(-2.6)) < 1e-12)
    }

    @Test("The dropped raw row of lag 2 is the one a hand framing gives: (diff[1], diff[0]) → diff[2]")
    func lag2FirstRawRow() throws {
        // With batch 1 nothing is trimmed, so raw row 0 (t = 2) is kept:
        // inputs (diff[1], diff[0]) = (37.2, −120.1), target diff[2] = −63.8.
        let dataset = try SupervisedDataset(series: series, options: FramingOptions(lag: 2, testSize: 12, batchSize: 1))
        #expect(dataset.trimmedRowCount == 0)
        #expect(dataset.train.count == 21)
        #expect(abs(dataset.train.inputs[0] - scaledLag1(37.2)) < 1e-12)
        #expect(abs(dataset.train.inputs[1] - scaledLag2Column1(-120.1)) < 1e-12)
        #expect(abs(dataset.train.targets[0] - scaledLag1(-63.8)) < 1e-12)
        #expect(dataset.train.previousObservations[0] == 183.1)
    }

    // scikit-learn's two-step arithmetic `x·scale + offset` (which SupervisedDataset follows) gives exactly −1 at
    // the column minimum (min·scale cancels) but may give 1 − 2⁻⁵² at the maximum: numpy, for the lag-1 target,
    // s = 2/(213.6 − (−157.1)); 213.6*s + (−1 − (−157.1)*s) = 0.9999999999999998. So the maximum is checked to 1e-15.
    @Test("The inputs for the month after the series: the last differences, most recent first")
    func nextMonthInputs() throws {
        // diff[34] = 646.9 − 581.3 = 65.6, diff[33] = 581.3 − 475.3 = 106.0.
        let dataset = try SupervisedDataset(series: series, options: FramingOptions(lag: 2, testSize: 12, batchSize: 4))
        #expect(dataset.nextInputs.count == 2)
        #expect(abs(dataset.nextInputs[0] - scaledLag1(65.6)) < 1e-12)
        #expect(abs(dataset.nextInputs[1] - scaledLag2Column1(106.0)) < 1e-12)
        #expect(dataset.lastObservation == 646.9)
        // The last test row's target is that same difference, so it equals the next input of lag 1.
        let lag1 = try SupervisedDataset(series: series, options: FramingOptions(lag: 1, testSize: 12, batchSize: 4))
        #expect(lag1.nextInputs == [lag1.test.targets[11]])
    }

    @Test("Untrimmed scaled training columns lie in [-1, 1] with min -1 and max 1", arguments: [1, 2, 3])
    func scaledTrainingRange(lag: Int) throws {
        // Batch 1: no trimming, so the training rows are exactly the rows the scaler was fitted on.
        let dataset = try SupervisedDataset(series: series, options: FramingOptions(lag: lag, testSize: 12, batchSize: 1))
        #expect(dataset.trimmedRowCount == 0)
        #expect(dataset.train.count == 35 - lag - 12)
        var columns: [[Double]] = (0..<lag).map { column in
            (0..<dataset.train.count).map { dataset.train.inputs[$0 * lag + column] }
        }
        columns.append(dataset.train.targets)
        for column in columns {
            #expect(column.allSatisfy { $0 >= -1 && $0 <= 1 })
            #expect(column.min() == -1)
            #expect(abs(column.max()! - 1) <= 1e-15)
        }
    }

    @Test("Trimming drops the first rows: batch 4 keeps the last 20 of the untrimmed 22")
    func trimmingDropsFirstRows() throws {
        let untrimmed = try SupervisedDataset(series: series, options: FramingOptions(lag: 1, testSize: 12, batchSize: 1))
        let trimmed = try SupervisedDataset(series: series, options: FramingOptions(lag: 1, testSize: 12, batchSize: 4))
        #expect(untrimmed.train.count == 22)
        #expect(Array(untrimmed.train.targets.suffix(20)) == trimmed.train.targets)
        #expect(Array(untrimmed.train.inputs.suffix(20)) == trimmed.train.inputs)
        #expect(Array(untrimmed.train.previousObservations.suffix(20)) == trimmed.train.previousObservations)
        // The scaler is fitted before trimming, so it is the same.
        #expect(untrimmed.scaler == trimmed.scaler)
        #expect(untrimmed.test == trimmed.test)
        // Batch 5: 22 mod 5 = 2 dropped; batch 3: 22 mod 3 = 1 dropped; batch 22: none.
        for (batch, dropped) in [(5, 2), (3, 1), (22, 0)] {
            let dataset = try SupervisedDataset(series: series, options: FramingOptions(lag: 1, testSize: 12, batchSize: batch))
            #expect(dataset.trimmedRowCount == dropped)
            #expect(dataset.train.count == 22 - dropped)
            #expect(dataset.train.count % batch == 0)
        }
    }

    @Test("Inverting the scaled target and adding the previous observation gives the observed sale", arguments: [1, 2])
    func inversionRecoversObservations(lag: Int) throws {
        let dataset = try SupervisedDataset(series: series, options: FramingOptions(lag: lag, testSize: 12, batchSize: 4))
        for rows in [dataset.train, dataset.test] {
            for row in 0..<rows.count {
                let forecast = dataset.forecast(scaledPrediction: rows.targets[row],
                                                previousObservation: rows.previousObservations[row])
                #expect(abs(forecast - rows.observed[row]) < 1e-9)
            }
            #expect(largestDifference(dataset.forecasts(rows.targets, for: rows), rows.observed) < 1e-9)
        }
        // A scaled prediction of −1 is the training minimum of the difference, −157.1.
        #expect(abs(dataset.forecast(scaledPrediction: -1, previousObservation: 100) - (100 - 157.1)) < 1e-9)
        #expect(abs(dataset.forecast(scaledPrediction: 1, previousObservation: 100) - (100 + 213.6)) < 1e-9)
    }

    @Test("MinMaxScaler: sklearn arithmetic, constant columns, inverse")
    func minMaxScaler() {
        // Hand: column 0 is [2, 6] → scale 2/4 = 0.5, offset −1 − 2·0.5 = −2; column 1 is constant 5 → its range
        // counts as 1 (sklearn's _handle_zeros_in_scale), scale 2/1 = 2, offset −1 − 5·2 = −11, so the constant maps
        // to the lower bound −1.
        let scaler = MinMaxScaler(fittingRows: [[2, 5], [6, 5], [4, 5]])
        #expect(scaler.minimums == [2, 5])
        #expect(scaler.maximums == [6, 5])
        #expect(scaler.scales == [0.5, 2])
        #expect(scaler.offsets == [-2, -11])
        #expect(scaler.scale(row: [2, 5]) == [-1, -1])
        #expect(scaler.scale(row: [6, 5]) == [1, -1])
        #expect(scaler.scale(row: [4, 7]) == [0, 3])
        #expect(scaler.scale(8, column: 0) == 2)  // outside the fitted range: not clipped
        for value in [-3.25, 0.0, 2.0, 4.5, 6.0, 11.0] {
            #expect(abs(scaler.invert(scaler.scale(value, column: 0), column: 0) - value) < 1e-12)
        }
    }

    @Test("Persistence RMSE over the last 12 months is 136.761")
    func persistence() throws {
        let (forecasts, observed) = try persistenceForecast(series, testSize: 12)
        #expect(forecasts.count == 12)
        #expect(forecasts.first == 342.3)  // month 2-12 forecasts 3-01
        #expect(forecasts.last == 581.3)
        #expect(observed == Array(series.values.suffix(12)))
        // SPEC §1 check figure; numpy: np.sqrt(np.mean((s[-13:-1] - s[-12:])**2)) = 136.76131884905664
        #expect(abs(rootMeanSquaredError(forecasts, observed) - 136.761) < 1e-3)
    }

    @Test("RMSE on small hand examples")
    func rmseByHand() {
        // Errors 2, 2, 2, 2 → √(16/4) = 2.
        #expect(rootMeanSquaredError([1, 2, 3, 4], [3, 4, 5, 6]) == 2)
        // Errors 3, −4 → √((9 + 16)/2) = √12.5.
        #expect(rootMeanSquaredError([0, 0], [3, -4]) == (12.5).squareRoot())
        // Errors 1, 0, 2 → √(5/3).
        #expect(abs(rootMeanSquaredError([1, 2, 3], [2, 2, 5]) - (5.0 / 3).squareRoot()) < 1e-15)
        #expect(rootMeanSquaredError([7], [7]) == 0)
    }

    @Test("Scaled rows equal the golden fixture's train_scaled and test_scaled", arguments: [
        ("keras-golden-3epochs", 1), ("keras-activity-lag2", 2),
    ])
    func scaledRowsMatchKeras(fixture: String, lag: Int) throws {
        let reference = try KerasReference.load(path: try TestSupport.fixturePath(fixture))
        #expect(reference.rowLag == lag && reference.lag == nil)
        let dataset = try SupervisedDataset(series: series, options: FramingOptions(lag: lag, testSize: 12, batchSize: 4))
        func rows(_ side: SupervisedRows) -> [[Double]] {
            (0..<side.count).map { Array(side.inputs[($0 * lag)..<(($0 + 1) * lag)]) + [side.targets[$0]] }
        }
        let train = rows(dataset.train), test = rows(dataset.test)
        try #require(train.count == reference.train_scaled.count)
        try #require(test.count == reference.test_scaled.count)
        #expect(largestDifference(train.flatMap { $0 }, reference.train_scaled.flatMap { $0 }) <= 1e-12)
        #expect(largestDifference(test.flatMap { $0 }, reference.test_scaled.flatMap { $0 }) <= 1e-12)
    }
}
