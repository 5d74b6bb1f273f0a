import NeuralNetwork

/// The training settings one configuration sets itself, over the experiment's shared ones: each nil unless set.
/// Keys, labels and the canonical encoding use the names of `run`'s options and of experiment files, in the order of
/// `keys`. Every value is held as a number (`TrainingSetting`): a switch as 0 or 1, a choice as its index.
public struct SettingOverrides: Sendable, Equatable, Hashable {
    private var storage: [String: Double] = [:]

    public init(units: Int? = nil, batchSize: Int? = nil, lag: Int? = nil, testSize: Int? = nil, epochs: Int? = nil,
                learningRate: Double? = nil) {
        self.units = units
        self.batchSize = batchSize
        self.lag = lag
        self.testSize = testSize
        self.epochs = epochs
        self.learningRate = learningRate
    }

    /// The keys, in their canonical order (the order of labels and of the encoding).
    public static let keys = TrainingSetting.allCases.map(\.rawValue)
    /// The keys an experiment's shared settings may set: all but `replicate`, which only a configuration sets.
    public static let sharedKeys = keys.filter { $0 != TrainingSetting.replicate.rawValue }

    public var units: Int? { get { integer(.units) } set { set(.units, newValue.map(Double.init)) } }
    public var batchSize: Int? { get { integer(.batch) } set { set(.batch, newValue.map(Double.init)) } }
    public var lag: Int? { get { integer(.lag) } set { set(.lag, newValue.map(Double.init)) } }
    public var testSize: Int? { get { integer(.testSize) } set { set(.testSize, newValue.map(Double.init)) } }
    public var epochs: Int? { get { integer(.epochs) } set { set(.epochs, newValue.map(Double.init)) } }
    public var learningRate: Double? { get { storage[TrainingSetting.learningRate.rawValue] } set { set(.learningRate, newValue) } }

    public var isEmpty: Bool { storage.isEmpty }

    /// The settings given, in key order, each as a number.
    public var values: [(key: String, value: Double)] {
        Self.keys.compactMap { key in storage[key].map { (key, $0) } }
    }

    /// The value given for `setting`, if any.
    public subscript(setting: TrainingSetting) -> Double? { storage[setting.rawValue] }

    /// The setting of `key` (one of `keys`) given the value (`TrainingSetting` says how each is a number).
    public mutating func set(_ key: String, _ value: Double) {
        guard let setting = TrainingSetting(rawValue: key) else { preconditionFailure("unknown setting \(key)") }
        set(setting, value)
    }

    public mutating func set(_ setting: TrainingSetting, _ value: Double?) { storage[setting.rawValue] = value }

    private func integer(_ setting: TrainingSetting) -> Int? { storage[setting.rawValue].map(clampedInteger) }

    /// These settings where given, `base`'s elsewhere.
    public func overriding(_ base: SettingOverrides) -> SettingOverrides {
        var result = base
        for (key, value) in storage { result.storage[key] = value }
        return result
    }

    /// `training` with these settings where given.
    public func applied(to training: TrainingSettings) -> TrainingSettings {
        var result = training
        for (key, value) in values { TrainingSetting(rawValue: key)!.apply(value, to: &result) }
        return result
    }

    /// `units 2, epochs 60`: each setting given, in key order.
    public var label: String {
        values.map { "\($0.key) \(TrainingSetting(rawValue: $0.key)!.text($0.value))" }.joined(separator: ", ")
    }
}

/// An integer setting held as a `Double`, as an `Int`: values beyond `Int`'s range (a huge option, which validation
/// then refuses with its range) become `Int.min` or `Int.max` rather than trapping.
func clampedInteger(_ value: Double) -> Int {
    if let exact = Int(exactly: value.rounded(.towardZero)) { return exact }
    return value < 0 ? Int.min : Int.max
}

/// A setting's value as written in labels and files: an integer without decimals, else the shortest decimal that
/// reads back as the same `Double`.
public func formatSetting(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return "\(value)"
}

extension SettingOverrides: Codable {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The settings given, keyed as in files (`units`, `test-size`, …): integers and rates as numbers, switches as
    /// true/false, choices by name.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for (key, value) in values {
            let setting = TrainingSetting(rawValue: key)!
            switch setting.kind {
            case .integer: try container.encode(clampedInteger(value), forKey: Key(stringValue: key))
            case .learningRate, .rate: try container.encode(value, forKey: Key(stringValue: key))
            case .flag: try container.encode(value != 0, forKey: Key(stringValue: key))
            case .choice: try container.encode(setting.text(value), forKey: Key(stringValue: key))
            }
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        for setting in TrainingSetting.allCases {
            let key = Key(stringValue: setting.rawValue)
            switch setting.kind {
            case .integer:
                if let value = try container.decodeIfPresent(Int.self, forKey: key) { set(setting, Double(value)) }
            case .learningRate, .rate:
                if let value = try container.decodeIfPresent(Double.self, forKey: key) { set(setting, value) }
            case .flag:
                if let value = try container.decodeIfPresent(Bool.self, forKey: key) { set(setting, value ? 1 : 0) }
            case .choice(let names):
                if let name = try container.decodeIfPresent(String.self, forKey: key) {
                    guard let index = names.firstIndex(of: name) else {
                        throw DecodingError.dataCorruptedError(forKey: key, in: container,
                                                               debugDescription: "\(setting.rawValue) '\(name)' is not one of \(names.joined(separator: ", "))")
                    }
                    set(setting, Double(index))
                }
            }
        }
    }
}
