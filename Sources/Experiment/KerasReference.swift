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
    // The study family's settings (absent: the study's harness).
    /// "features" (n × 1 × lag) or "timesteps" (n × lag × 1).
    public var lag_as: String?
    /// The lag the dump states; it must be the width of a data row less its target (`rowLag`).
    public var lag: Int?
    public var dropout: Double?
    public var recurrent_dropout: Double?
    public var stateful: Bool?
    public var shuffle: Bool?
    /// "one-shot" or "walk-forward".
    public var forecast: String?
    public var seed_state: Bool?
    /// "one" (Keras drew one input mask for the four gates) or "per-gate" (four of each kind); with masks only.
    public var mask_draw: String?
    /// `masks[epoch][batch]`: the dropout masks Keras drew for that training batch.
    public var masks: [[BatchMasks]]?
    /// `permutations[epoch]`: the order Keras fed the training rows in (shuffling).
    public var permutations: [[Int]]?

    /// One batch's masks as Keras drew them: four per kind (gates i, f, c, o), each `[rows][width]`.
    public struct BatchMasks: Sendable, Decodable {
        public var input: [NestedNumbers]?
        public var recurrent: [NestedNumbers]?

        public init(input: [NestedNumbers]? = nil, recurrent: [NestedNumbers]? = nil) {
            self.input = input
            self.recurrent = recurrent
        }
    }

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
    public var rowLag: Int { (train_scaled.first?.count ?? 1) - 1 }

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
            shape: shape, recurrentActivation: activation,
            adam: AdamSettings(learningRate: learning_rate, beta1: adam.beta_1, beta2: adam.beta_2,
                               epsilon: adam.epsilon),
            regularization: regularization, activityPenaltyDividedByBatch: true, batchSize: batch_size,
            stateful: stateful ?? true, shuffle: shuffle ?? false,
            dropout: DropoutSettings(input: dropout ?? 0, recurrent: recurrent_dropout ?? 0))
    }

    /// The network's shape: the lag as features of one timestep, or as timesteps of one feature (`lag_as`).
    public var shape: NetworkShape {
        lag_as == "timesteps" ? NetworkShape(lag: 1, units: units, timesteps: rowLag) : NetworkShape(lag: rowLag, units: units)
    }

    /// Rows per predict call: 1 walk-forward, else the batch size.
    public var rowsPerPrediction: Int { forecast == "walk-forward" ? 1 : batch_size }

    /// The masks and row orders Keras drew, in the layout the network replays (`RecordedRandomness`); `validate()`
    /// has checked them.
    public func recordedRandomness() throws -> RecordedRandomness {
        let shape = self.shape
        func layout(_ masks: [NestedNumbers]?, width: Int, rows: Int, field: String) throws -> [Double]? {
            guard let masks else { return nil }
            guard masks.count == 4, masks.allSatisfy({ $0.shape == [rows, width] }) else {
                throw ExperimentError.badReference(field: field, problem: "must be 4 masks of \(rows) × \(width) values")
            }
            let values = masks.map(\.flattened)
            var result = [Double](repeating: 1, count: rows * 4 * width)
            for gate in 0..<4 {
                for row in 0..<rows {
                    for k in 0..<width { result[(row * 4 + gate) * width + k] = values[gate][row * width + k] }
                }
            }
            return result
        }
        let recorded = try (masks ?? []).enumerated().map { epoch, batches in
            try batches.enumerated().map { batch, masks -> (input: [Double]?, recurrent: [Double]?) in
                let rows = min(batch_size, train_scaled.count - batch * batch_size)
                return (try layout(masks.input, width: shape.lag, rows: rows, field: "masks[\(epoch)][\(batch)].input"),
                        try layout(masks.recurrent, width: units, rows: rows, field: "masks[\(epoch)][\(batch)].recurrent"))
            }
        }
        return RecordedRandomness(masks: recorded, rowOrders: permutations ?? [])
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
