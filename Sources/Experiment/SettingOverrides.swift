/// The training settings one configuration sets itself, over the experiment's shared ones: each nil unless set.
/// Keys, labels and the canonical encoding use the names of `run`'s options, in this order: units, batch, lag,
/// test-size, epochs, learning-rate.
public struct SettingOverrides: Sendable, Equatable, Hashable {
    public var units: Int?
    public var batchSize: Int?
    public var lag: Int?
    public var testSize: Int?
    public var epochs: Int?
    public var learningRate: Double?

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
    public static let keys = ["units", "batch", "lag", "test-size", "epochs", "learning-rate"]

    public var isEmpty: Bool { values.isEmpty }

    /// The settings given, in key order, each as a number.
    public var values: [(key: String, value: Double)] {
        let all: [(String, Double?)] = [
            ("units", units.map(Double.init)), ("batch", batchSize.map(Double.init)), ("lag", lag.map(Double.init)),
            ("test-size", testSize.map(Double.init)), ("epochs", epochs.map(Double.init)), ("learning-rate", learningRate),
        ]
        return all.compactMap { key, value in value.map { (key, $0) } }
    }

    /// The setting of `key` (one of `keys`) given the value: an integer for every key but `learning-rate`.
    public mutating func set(_ key: String, _ value: Double) {
        switch key {
        case "units": units = Int(value)
        case "batch": batchSize = Int(value)
        case "lag": lag = Int(value)
        case "test-size": testSize = Int(value)
        case "epochs": epochs = Int(value)
        case "learning-rate": learningRate = value
        default: preconditionFailure("unknown setting \(key)")
        }
    }

    /// These settings where given, `base`'s elsewhere.
    public func overriding(_ base: SettingOverrides) -> SettingOverrides {
        SettingOverrides(units: units ?? base.units, batchSize: batchSize ?? base.batchSize, lag: lag ?? base.lag,
                         testSize: testSize ?? base.testSize, epochs: epochs ?? base.epochs,
                         learningRate: learningRate ?? base.learningRate)
    }

    /// `training` with these settings where given.
    public func applied(to training: TrainingSettings) -> TrainingSettings {
        TrainingSettings(profile: training.profile, units: units ?? training.units,
                         batchSize: batchSize ?? training.batchSize, lag: lag ?? training.lag,
                         testSize: testSize ?? training.testSize, epochs: epochs ?? training.epochs,
                         learningRate: learningRate ?? training.learningRate)
    }

    /// `units 2, epochs 60`: each setting given, in key order.
    public var label: String {
        values.map { "\($0.key) \(formatSetting($0.value))" }.joined(separator: ", ")
    }
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

    /// The settings given, keyed as in files (`units`, `test-size`, …).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encodeIfPresent(units, forKey: Key(stringValue: "units"))
        try container.encodeIfPresent(batchSize, forKey: Key(stringValue: "batch"))
        try container.encodeIfPresent(lag, forKey: Key(stringValue: "lag"))
        try container.encodeIfPresent(testSize, forKey: Key(stringValue: "test-size"))
        try container.encodeIfPresent(epochs, forKey: Key(stringValue: "epochs"))
        try container.encodeIfPresent(learningRate, forKey: Key(stringValue: "learning-rate"))
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        self.init(units: try container.decodeIfPresent(Int.self, forKey: Key(stringValue: "units")),
                  batchSize: try container.decodeIfPresent(Int.self, forKey: Key(stringValue: "batch")),
                  lag: try container.decodeIfPresent(Int.self, forKey: Key(stringValue: "lag")),
                  testSize: try container.decodeIfPresent(Int.self, forKey: Key(stringValue: "test-size")),
                  epochs: try container.decodeIfPresent(Int.self, forKey: Key(stringValue: "epochs")),
                  learningRate: try container.decodeIfPresent(Double.self, forKey: Key(stringValue: "learning-rate")))
    }
}
