import Foundation
import Network
import TimeSeries

/// A reference dump written by Keras (SPEC §7, `scripts/keras_reference.py`): the data, initial weights, and the
/// weights, loss and predictions Keras produced from them.
public struct KerasReference: Sendable, Decodable {
    public struct Adam: Sendable, Decodable {
        public var beta_1: Double
        public var beta_2: Double
        public var epsilon: Double
    }

    public struct Epoch: Sendable, Decodable {
        public var epoch: Int
        public var loss: Double
        /// Nested arrays in Keras's weight order (kernel, recurrent kernel, bias, Dense kernel, Dense bias).
        public var weights: [NestedNumbers]
    }

    public var keras_version: String?
    public var units: Int
    public var batch_size: Int
    public var learning_rate: Double
    public var adam: Adam
    public var recurrent_activation: String
    public var kernel_l1l2: [Double]
    public var recurrent_l1l2: [Double]
    public var bias_l1l2: [Double]
    public var activity_l1l2: [Double]?
    public var train_scaled: [[Double]]
    public var test_scaled: [[Double]]
    public var initial_weights: [NestedNumbers]
    public var epochs: [Epoch]
    public var test_predictions_scaled: [Double]
    public var test_forecasts: [Double]?
    public var test_rmse: Double?

    /// Reads and decodes a dump; a one-line error names the file and the problem.
    public static func load(path: String) throws -> KerasReference {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ExperimentError.invalidValue(name: "reference file", value: path, allowed: "an existing JSON file")
        }
        do {
            return try JSONDecoder().decode(KerasReference.self, from: data)
        } catch let error as DecodingError {
            throw ExperimentError.invalidValue(
                name: "reference file", value: path, allowed: "a Keras reference dump (\(error.shortDescription))")
        } catch {
            throw ExperimentError.invalidValue(name: "reference file", value: path, allowed: "valid JSON")
        }
    }

    /// The lag: the width of a data row less its target.
    public var lag: Int { (train_scaled.first?.count ?? 1) - 1 }

    /// The network settings the dump was produced with (Keras 3 semantics: the activity penalty is divided by the
    /// batch size).
    public func networkSettings() throws -> NetworkSettings {
        guard let activation = RecurrentActivation(rawValue: recurrent_activation) else {
            throw ExperimentError.invalidValue(
                name: "recurrent_activation", value: recurrent_activation, allowed: "sigmoid or hard_sigmoid_0.2")
        }
        func penalty(_ pair: [Double]?, _ name: String) throws -> L1L2 {
            guard let pair else { return .none }
            guard pair.count == 2 else {
                throw ExperimentError.invalidValue(name: name, value: "\(pair)", allowed: "a pair [l1, l2]")
            }
            return L1L2(l1: pair[0], l2: pair[1])
        }
        let regularization = Regularization(
            kernel: try penalty(kernel_l1l2, "kernel_l1l2"), recurrentKernel: try penalty(recurrent_l1l2, "recurrent_l1l2"),
            bias: try penalty(bias_l1l2, "bias_l1l2"), activity: try penalty(activity_l1l2, "activity_l1l2"))
        return NetworkSettings(
            shape: NetworkShape(lag: lag, units: units), recurrentActivation: activation,
            adam: AdamSettings(learningRate: learning_rate, beta1: adam.beta_1, beta2: adam.beta_2,
                               epsilon: adam.epsilon),
            regularization: regularization, activityPenaltyDividedByBatch: true, batchSize: batch_size)
    }

    /// Flattens weights given in Keras's order into the `ParameterLayout` buffer.
    public static func flatten(_ weights: [NestedNumbers], layout: ParameterLayout) throws -> [Double] {
        let flat = weights.flatMap { $0.flattened }
        guard weights.count == WeightTensor.allCases.count, flat.count == layout.count else {
            throw ExperimentError.invalidValue(
                name: "weights", value: "\(flat.count) values in \(weights.count) tensors",
                allowed: "\(layout.count) values in 5 tensors for lag \(layout.shape.lag), \(layout.shape.units) units")
        }
        return flat
    }
}

/// A JSON number or nested array of numbers, flattened row-major.
public enum NestedNumbers: Sendable, Decodable {
    case number(Double)
    case array([NestedNumbers])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else {
            self = .array(try container.decode([NestedNumbers].self))
        }
    }

    public var flattened: [Double] {
        switch self {
        case .number(let value): [value]
        case .array(let items): items.flatMap(\.flattened)
        }
    }
}

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

    /// The largest of the weight, loss and prediction deviations.
    public var largestDeviation: Double {
        (weightDeviations + lossDeviations + [predictionDeviation]).max() ?? 0
    }
}

/// Trains from a dump's initial weights on its scaled rows, epoch by epoch with a state reset after each, and
/// compares everything with what Keras produced.
public func compareWithKeras(_ reference: KerasReference, series: Series = .shampooSales()) throws -> KerasComparison {
    let settings = try reference.networkSettings()
    let layout = ParameterLayout(settings.shape)
    let lag = settings.shape.lag
    let network = StatefulLSTM(settings: settings, parameters: try KerasReference.flatten(reference.initial_weights, layout: layout))
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
            train.targets.withUnsafeBufferPointer { targets in
                network.trainEpoch(inputs: inputs.baseAddress!, targets: targets.baseAddress!, rowCount: train.targets.count)
            }
        }
        let expected = try KerasReference.flatten(epoch.weights, layout: layout)
        weightDeviations.append(maximumDeviation(network.parameterValues, expected))
        lossDeviations.append(maximumDeviation([loss], [epoch.loss]))
    }
    let predictions = network.predictFromReset(inputs: test.inputs, rowCount: test.targets.count)
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

extension DecodingError {
    /// The missing or mistyped field, in one line.
    var shortDescription: String {
        switch self {
        case .keyNotFound(let key, _): "missing field '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            "bad field '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        @unknown default: "undecodable"
        }
    }
}
