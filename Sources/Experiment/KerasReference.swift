import Foundation
import NeuralNetwork
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
    /// Keras's float type when the dump was written (`keras.config.floatx()`); only float64 dumps can be judged.
    public var dtype: String?
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

    /// The largest dump read, in bytes (the shipped dumps are about 10 KB).
    public static let maximumFileBytes = 64 << 20

    /// Reads, decodes and validates a dump; a one-line error names the file and the problem.
    public static func load(path: String) throws -> KerasReference {
        let data: Data
        do throws(FileReadProblem) {
            data = try readInputFile(atPath: path, maximumBytes: maximumFileBytes)
        } catch {
            throw ExperimentError.invalidValue(name: "reference file", value: path, allowed: "a readable JSON file (\(error))")
        }
        do {
            return try decode(data)
        } catch let error as ExperimentError {
            if case .badReference(let field, let problem) = error {
                throw ExperimentError.badReference(field: field, problem: "\(problem) (in \(oneLine(path, limit: 300)))")
            }
            throw error
        }
    }

    /// Decodes a dump from JSON and validates it (`validate()`): every failure is a one-line `ExperimentError`.
    public static func decode(_ data: Data) throws -> KerasReference {
        let reference: KerasReference
        do {
            reference = try JSONDecoder().decode(KerasReference.self, from: data)
        } catch let error as DecodingError {
            guard case .dataCorrupted = error, error.fieldName == "the file" else {
                throw ExperimentError.badReference(field: error.fieldName, problem: error.shortDescription)
            }
            // The decoder does not say where; the serializer says where the text stops being JSON, if it does.
            do {
                _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            } catch {
                let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
                throw ExperimentError.badReference(field: "the file", problem: "is not valid JSON (\(oneLine(detail, limit: 100)))")
            }
            throw ExperimentError.badReference(
                field: "the file", problem: "holds a number that does not fit its field (a fraction or an out-of-range number "
                    + "where an integer such as units, batch_size or epoch is expected)")
        } catch {
            throw ExperimentError.badReference(field: "the file", problem: "cannot be decoded (\(oneLine(String(describing: error))))")
        }
        try reference.validate()
        return reference
    }

    /// The lag: the width of a data row less its target.
    public var lag: Int { (train_scaled.first?.count ?? 1) - 1 }

    /// Checks every field against what Keras can have written, with the ranges of `SettingLimits`: positive sizes,
    /// finite numbers, rows of lag + 1 values, weights of Keras's shapes, epochs numbered 1, 2, …, one prediction per
    /// test row. Throws `ExperimentError.badReference` naming the field.
    public func validate() throws {
        func bad(_ field: String, _ problem: String) -> ExperimentError { .badReference(field: field, problem: problem) }
        func inRange(_ field: String, _ value: Int, _ range: ClosedRange<Int>, _ why: String = "") throws {
            guard range.contains(value) else {
                throw bad(field, "must be from \(range.lowerBound) to \(range.upperBound)\(why), got \(value)")
            }
        }
        func finite(_ field: String, _ values: [Double]) throws {
            if let index = values.firstIndex(where: { !$0.isFinite }) {
                throw bad(field, "holds \(values[index]) at value \(index + 1); every number must be finite")
            }
        }
        if let dtype, dtype != "float64" {
            throw bad("dtype", "is '\(oneLine(dtype, limit: 20))': lstmlab computes in float64 and judges a dump at float64 "
                      + "tolerances, which a \(oneLine(dtype, limit: 20)) dump cannot meet; write it with keras.config.set_floatx(\"float64\")")
        }
        try inRange("units", units, SettingLimits.units)
        guard learning_rate > 0, learning_rate <= SettingLimits.largestLearningRate else {
            throw bad("learning_rate", "must be a finite number greater than 0, got \(learning_rate)")
        }
        for (field, value) in [("adam.beta_1", adam.beta_1), ("adam.beta_2", adam.beta_2)] where !(value >= 0 && value < 1) {
            throw bad(field, "must be from 0 to less than 1, got \(value)")
        }
        guard adam.epsilon > 0, adam.epsilon <= 1 else {
            throw bad("adam.epsilon", "must be greater than 0 and at most 1, got \(adam.epsilon)")
        }
        guard RecurrentActivation(rawValue: recurrent_activation) != nil else {
            throw bad("recurrent_activation", "'\(oneLine(recurrent_activation, limit: 40))' is not sigmoid or hard_sigmoid_0.2")
        }
        for (field, pair) in [("kernel_l1l2", kernel_l1l2), ("recurrent_l1l2", recurrent_l1l2), ("bias_l1l2", bias_l1l2),
                              ("activity_l1l2", activity_l1l2 ?? [0, 0])] {
            guard pair.count == 2 else { throw bad(field, "must be a pair [l1, l2], got \(pair.count) value(s)") }
            for value in pair where !(value >= 0 && value <= SettingLimits.largestCoefficient) {
                throw bad(field, "coefficients must be from 0 to \(SettingLimits.largestCoefficient), got \(value)")
            }
        }
        // Data rows: input(s) then target, all of one width.
        guard let width = train_scaled.first?.count else { throw bad("train_scaled", "holds no rows") }
        try inRange("lag (the width of a train_scaled row less its target)", width - 1, SettingLimits.lag)
        for (field, rows) in [("train_scaled", train_scaled), ("test_scaled", test_scaled)] {
            guard !rows.isEmpty else { throw bad(field, "holds no rows") }
            if let index = rows.firstIndex(where: { $0.count != width }) {
                throw bad(field, "row \(index + 1) has \(rows[index].count) values where \(width) (lag + 1) were expected")
            }
            for (index, row) in rows.enumerated() { try finite("\(field) row \(index + 1)", row) }
        }
        try inRange("batch_size", batch_size, 1...min(SettingLimits.batchSize.upperBound, train_scaled.count),
                    " (the rows of train_scaled)")
        guard train_scaled.count % batch_size == 0 else {
            throw bad("train_scaled", "holds \(train_scaled.count) rows, not a multiple of batch_size \(batch_size)")
        }
        // Weights: Keras's five tensors, each of its shape.
        let shape = NetworkShape(lag: width - 1, units: units)
        try checkWeights(initial_weights, field: "initial_weights", shape: shape)
        guard !epochs.isEmpty else { throw bad("epochs", "holds no epochs") }
        try inRange("the number of epochs", epochs.count, SettingLimits.epochs)
        for (index, epoch) in epochs.enumerated() {
            guard epoch.epoch == index + 1 else {
                throw bad("epochs[\(index)].epoch", "must be \(index + 1) (epochs numbered from 1 in order), got \(epoch.epoch)")
            }
            try finite("epochs[\(index)].loss", [epoch.loss])
            try checkWeights(epoch.weights, field: "epochs[\(index)].weights", shape: shape)
        }
        guard test_predictions_scaled.count == test_scaled.count else {
            throw bad("test_predictions_scaled", "holds \(test_predictions_scaled.count) values, not one per test row (\(test_scaled.count))")
        }
        try finite("test_predictions_scaled", test_predictions_scaled)
        if let test_forecasts {
            guard test_forecasts.count == test_scaled.count else {
                throw bad("test_forecasts", "holds \(test_forecasts.count) values, not one per test row (\(test_scaled.count))")
            }
            try finite("test_forecasts", test_forecasts)
        }
        if let test_rmse, !(test_rmse.isFinite && test_rmse >= 0) {
            throw bad("test_rmse", "must be a finite number ≥ 0, got \(test_rmse)")
        }
    }

    /// Checks that `weights` are Keras's five tensors for `shape`: kernel (lag, 4u), recurrent kernel (u, 4u),
    /// bias (4u), Dense kernel (u, 1), Dense bias (1), with finite values.
    private func checkWeights(_ weights: [NestedNumbers], field: String, shape: NetworkShape) throws {
        let expected = [[shape.lag, 4 * shape.units], [shape.units, 4 * shape.units], [4 * shape.units], [shape.units, 1], [1]]
        let names = ["kernel", "recurrent_kernel", "bias", "dense kernel", "dense bias"]
        guard weights.count == expected.count else {
            throw ExperimentError.badReference(field: field, problem: "holds \(weights.count) tensors where 5 were expected "
                                               + "(kernel, recurrent_kernel, bias, dense kernel, dense bias)")
        }
        for index in expected.indices {
            let tensorShape = weights[index].shape
            guard tensorShape == expected[index] else {
                let found = tensorShape.map { "(\($0.map(String.init).joined(separator: ", ")))" } ?? "a ragged array"
                throw ExperimentError.badReference(
                    field: "\(field)[\(index)]",
                    problem: "(\(names[index])) has shape \(found) where (\(expected[index].map(String.init).joined(separator: ", "))) "
                        + "was expected for lag \(shape.lag) and \(shape.units) units")
            }
            if let bad = weights[index].flattened.first(where: { !$0.isFinite }) {
                throw ExperimentError.badReference(field: "\(field)[\(index)]", problem: "holds \(bad); every number must be finite")
            }
        }
    }

    /// The network settings the dump was produced with (Keras 3 semantics: the activity penalty is divided by the
    /// batch size). Validates the dump first.
    public func networkSettings() throws -> NetworkSettings {
        try validate()
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

    /// The array's shape, outermost first (`[]` for a number), or nil when it is ragged (elements of different
    /// shapes, or numbers beside arrays).
    public var shape: [Int]? {
        switch self {
        case .number: return []
        case .array(let items):
            guard let first = items.first else { return [0] }
            guard let inner = first.shape else { return nil }
            for item in items.dropFirst() where item.shape != inner { return nil }
            return [items.count] + inner
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

    /// The largest of the weight, loss and prediction deviations (scaled units).
    public var largestDeviation: Double {
        (weightDeviations + lossDeviations + [predictionDeviation]).max() ?? 0
    }

    /// The largest of the forecast and test RMSE deviations (sales units), when they were compared.
    public var largestSalesDeviation: Double? {
        forecastDeviation.map { max($0, rmseDeviation ?? 0) } ?? rmseDeviation
    }
}

/// Trains from a dump's initial weights on its scaled rows, epoch by epoch with a state reset after each, and
/// compares everything with what Keras produced.
public func compareWithKeras(_ reference: KerasReference, series: Series = .shampooSales()) throws -> KerasComparison {
    let settings = try reference.networkSettings()
    let layout = ParameterLayout(settings.shape)
    let lag = settings.shape.lag
    let network = LSTMNetwork<Double>(settings: settings, parameters: try KerasReference.flatten(reference.initial_weights, layout: layout))
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
    /// The field at fault, as a path (`epochs.1.loss`), or `the file` when the text is not JSON at all.
    var fieldName: String {
        switch self {
        case .keyNotFound(let key, let context):
            return (context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: ".")
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? "the file" : path
        @unknown default:
            return "the file"
        }
    }

    /// What is wrong with the field, in one line.
    var shortDescription: String {
        switch self {
        case .keyNotFound: "is missing"
        case .typeMismatch(let type, let context): "is not \(Self.typeName(type)) (\(oneLine(context.debugDescription, limit: 100)))"
        case .valueNotFound(let type, _): "is null where \(Self.typeName(type)) was expected"
        case .dataCorrupted(let context):
            "cannot be read (\(oneLine(context.debugDescription, limit: 100))"
                + (context.underlyingError.map { ": \(oneLine(String(describing: $0), limit: 120))" } ?? "") + ")"
        @unknown default: "cannot be decoded"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: "an integer"
        case is Double.Type: "a number"
        case is String.Type: "a string"
        default: "of type \(type)"
        }
    }
}
