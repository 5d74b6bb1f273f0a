import NeuralNetwork
import TimeSeries

/// The values an experiment may set, each nil unless given: by an experiment file, or on the command line. Missing
/// values take their defaults (`ExperimentDefaults`) here, and only here.
public struct ExperimentValues: Sendable, Equatable {
    public var profile: KerasProfile?
    public var seed: UInt64?
    public var repeats: Int?
    /// The training settings shared by every configuration.
    public var settings: SettingOverrides
    /// Weight snapshots every this many epochs (0: none).
    public var checkpointEvery: Int?

    public init(profile: KerasProfile? = nil, seed: UInt64? = nil, repeats: Int? = nil,
                settings: SettingOverrides = SettingOverrides(), checkpointEvery: Int? = nil) {
        self.profile = profile
        self.seed = seed
        self.repeats = repeats
        self.settings = settings
        self.checkpointEvery = checkpointEvery
    }

    /// These values where given, `base`'s elsewhere (the command line over a file).
    public func overriding(_ base: ExperimentValues) -> ExperimentValues {
        ExperimentValues(profile: profile ?? base.profile, seed: seed ?? base.seed, repeats: repeats ?? base.repeats,
                         settings: settings.overriding(base.settings),
                         checkpointEvery: checkpointEvery ?? base.checkpointEvery)
    }

    /// The shared training settings, defaults where not given.
    public var training: TrainingSettings {
        settings.applied(to: TrainingSettings(profile: profile ?? ExperimentDefaults.profile))
    }

    public var resolvedSeed: UInt64 { seed ?? ExperimentDefaults.seed }
    public var resolvedRepeats: Int { repeats ?? ExperimentDefaults.repeats }
    public var resolvedCheckpointEvery: Int { checkpointEvery ?? ExperimentDefaults.checkpointEvery }
}

/// Where an experiment's series comes from: the shipped shampoo sales, or a column of a CSV file.
public enum DataSource: Sendable, Equatable {
    case shampooSales
    /// An absolute (or working-directory relative) path, and the column by header name or 0-based index (nil: the
    /// last column).
    case csv(path: String, column: String?)

    /// The series.
    public func load(header: HeaderPolicy = .auto) throws -> Series {
        switch self {
        case .shampooSales:
            return .shampooSales()
        case .csv(let path, let column):
            let selector = column.map { Int($0).map(ColumnSelector.index) ?? .name($0) } ?? .last
            return try Series.load(csvAt: path, column: selector, header: header)
        }
    }
}
