import NeuralNetwork
import TimeSeries

/// The largest absolute deviations between this implementation and a Keras dump.
public struct KerasComparison: Sendable {
    /// Per epoch: the largest |Δ| over all weights after that epoch.
    public var weightDeviations: [Double]
    /// Per epoch: |Δ| of the epoch loss.
    public var lossDeviations: [Double]
    /// Largest |Δ| over the scaled test predictions after the last epoch.
    public var predictionDeviation: Double
    /// Largest |Δ| over the test forecasts in sales units, when the dump's data is the shipped series framed the
    /// same way (nil otherwise), and |Δ| of the test RMSE.
    public var forecastDeviation: Double?
    public var rmseDeviation: Double?

    /// The largest of the weight, loss and prediction deviations (scaled units).
    public var largestDeviation: Double {
        (weightDeviations + lossDeviations + [predictionDeviation]).max() ?? 0
    }

    /// The largest of the forecast and test RMSE deviations (sales units), when they were compared.
    public var largestSalesDeviation: Double? {
        forecastDeviation.map { max($0, rmseDeviation ?? 0) } ?? rmseDeviation
    }
}

/// Trains from a dump's initial weights on its scaled rows, epoch by epoch with a state reset after each, with the
/// dropout masks and row orders Keras drew replayed, and compares everything with what Keras produced; the test rows
/// are predicted as the dump did (one-shot or walk-forward, after seeding the state with the training rows or not).
public func compareWithKeras(_ reference: KerasReference, series: Series = .shampooSales()) throws -> KerasComparison {
    let settings = try reference.networkSettings()
    let layout = ParameterLayout(settings.shape)
    let lag = reference.rowLag
    let network = LSTMNetwork<Double>(settings: settings, parameters: try KerasReference.flatten(reference.initial_weights, layout: layout))
    network.replay = try reference.recordedRandomness()
    func split(_ rows: [[Double]]) throws -> (inputs: [Double], targets: [Double]) {
        guard rows.allSatisfy({ $0.count == lag + 1 }) else {
            throw ExperimentError.invalidValue(name: "data rows", value: "ragged", allowed: "rows of lag + 1 values")
        }
        return (rows.flatMap { $0.prefix(lag) }, rows.map { $0[lag] })
    }
    let train = try split(reference.train_scaled)
    let test = try split(reference.test_scaled)
    guard train.targets.count % settings.batchSize == 0, !train.targets.isEmpty else {
        throw ExperimentError.invalidValue(name: "train_scaled", value: "\(train.targets.count) rows",
                                           allowed: "a non-zero multiple of the batch size \(settings.batchSize)")
    }
    var weightDeviations: [Double] = []
    var lossDeviations: [Double] = []
    for epoch in reference.epochs {
        let loss = train.inputs.withUnsafeBufferPointer { inputs in
            train.targets.withUnsafeBufferPointer { targets -> Double in
                guard let inputs = inputs.baseAddress, let targets = targets.baseAddress else { return .nan }
                return network.trainEpoch(inputs: inputs, targets: targets, rowCount: train.targets.count)
            }
        }
        let expected = try KerasReference.flatten(epoch.weights, layout: layout)
        weightDeviations.append(maximumDeviation(network.parameterValues(), expected))
        lossDeviations.append(maximumDeviation([loss], [epoch.loss]))
    }
    let seed = reference.seed_state == true ? train : (inputs: [], targets: [])
    let predictions = Array(network.predictFromReset(inputs: seed.inputs + test.inputs,
                                                     rowCount: seed.targets.count + test.targets.count,
                                                     rowsPerCall: reference.rowsPerPrediction)
        .dropFirst(seed.targets.count))
    guard predictions.count == reference.test_predictions_scaled.count else {
        throw ExperimentError.invalidValue(name: "test_predictions_scaled", value: "\(reference.test_predictions_scaled.count) values",
                                           allowed: "one per test row (\(predictions.count))")
    }
    var comparison = KerasComparison(
        weightDeviations: weightDeviations, lossDeviations: lossDeviations,
        predictionDeviation: maximumDeviation(predictions, reference.test_predictions_scaled))

    // Forecasts in sales units need the unscaled series: check them when the dump frames the shipped series.
    let framing = FramingOptions(lag: lag, testSize: test.targets.count, batchSize: settings.batchSize)
    if let forecasts = reference.test_forecasts, let dataset = try? SupervisedDataset(series: series, options: framing),
       maximumDeviation(dataset.train.targets, train.targets) < 1e-12,
       maximumDeviation(dataset.test.targets, test.targets) < 1e-12
    {
        let ours = dataset.forecasts(predictions, for: dataset.test)
        comparison.forecastDeviation = maximumDeviation(ours, forecasts)
        if let rmse = reference.test_rmse {
            comparison.rmseDeviation = maximumDeviation([rootMeanSquaredError(ours, dataset.test.observed)], [rmse])
        }
    }
    return comparison
}

/// max |a − b| over equal-length arrays; ∞ when the lengths differ or any difference is NaN or infinite, so a
/// non-finite result can never pass a tolerance check.
public func maximumDeviation(_ a: [Double], _ b: [Double]) -> Double {
    guard a.count == b.count else { return .infinity }
    return zip(a, b).reduce(0) { largest, pair in
        let deviation = abs(pair.0 - pair.1)
        return deviation.isFinite ? max(largest, deviation) : .infinity
    }
}
