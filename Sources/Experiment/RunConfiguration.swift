import Foundation
import NeuralNetwork
import TimeSeries

/// Where a penalty applies: one of the LSTM's three weight tensors, or its output (activity). The cases are in
/// the canonical order of a configuration's penalties.
public enum PenaltyPlace: String, Sendable, Codable, CaseIterable, Hashable, Comparable {
    /// The input weights (`kernel`).
    case kernel
    /// The recurrent weights (`recurrent_kernel`).
    case recurrent
    /// The LSTM bias.
    case bias
    /// The LSTM output h (activity regularization).
    case activity

    public static func < (a: PenaltyPlace, b: PenaltyPlace) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

extension Regularization {
    /// The penalty at one place.
    public subscript(place: PenaltyPlace) -> L1L2 {
        get {
            switch place {
            case .kernel: kernel
            case .recurrent: recurrentKernel
            case .bias: bias
            case .activity: activity
            }
        }
        set {
            switch place {
            case .kernel: kernel = newValue
            case .recurrent: recurrentKernel = newValue
            case .bias: bias = newValue
            case .activity: activity = newValue
            }
        }
    }
}

/// A penalty named at one place of a configuration.
public struct PlacedPenalty: Sendable, Equatable, Hashable, Codable {
    public var place: PenaltyPlace
    public var penalty: L1L2

    public init(_ place: PenaltyPlace, _ penalty: L1L2) {
        self.place = place
        self.penalty = penalty
    }
}

/// One configuration of an experiment: the penalties it names, one per place at most, in place order. A place may be
/// named with a zero penalty (`kernel L1L2(0.00,0.00)`, the unregularized row of the study's input table): naming
/// it is part of the configuration's identity, so that row is trained from its own seeds, as in the study.
///
/// The identity of a configuration is its canonical encoding (places and the bits of their coefficients), never its
/// display label: a change to how coefficients print cannot change any run's seed.
public struct ConfigurationSpec: Sendable, Equatable, Hashable {
    /// In place order (`PenaltyPlace.allCases`), each place at most once.
    public let penalties: [PlacedPenalty]

    /// A configuration naming these penalties; a place given twice keeps its last penalty.
    public init(_ penalties: [(PenaltyPlace, L1L2)]) {
        var byPlace: [PenaltyPlace: L1L2] = [:]
        for (place, penalty) in penalties { byPlace[place] = penalty }
        self.penalties = byPlace.keys.sorted().map { PlacedPenalty($0, byPlace[$0]!) }
    }

    /// A configuration with one penalty at one place, labelled `<place> L1L2(l1,l2)`.
    public static func single(_ place: PenaltyPlace, _ penalty: L1L2) -> ConfigurationSpec {
        ConfigurationSpec([(place, penalty)])
    }

    /// A configuration with penalties at several places, labelled `kernel L1L2(…) + bias L1L2(…)`.
    public static func combined(_ penalties: [(PenaltyPlace, L1L2)]) -> ConfigurationSpec {
        ConfigurationSpec(penalties)
    }

    /// The unregularized configuration, naming no place, labelled `L1L2(0.00,0.00)`.
    public static let baseline = ConfigurationSpec([])

    /// Every penalty of the configuration (zero where no place is named).
    public var regularization: Regularization {
        var regularization = Regularization.none
        for item in penalties { regularization[item.place] = item.penalty }
        return regularization
    }

    /// No penalty anywhere: the configuration other configurations are compared with.
    public var isBaseline: Bool { regularization.isZero }

    /// The study's label, for display and the archive's `configuration_label`: `kernel L1L2(0.01,0.00)`,
    /// `kernel L1L2(0.01,0.01) + bias L1L2(0.01,0.01)`, or `L1L2(0.00,0.00)` when no place is named.
    public var label: String {
        guard !penalties.isEmpty else { return L1L2.none.label }
        return penalties.map { "\($0.place.rawValue) \($0.penalty.label)" }.joined(separator: " + ")
    }

    /// The bytes that identify the configuration, fed to the run seed: for each named penalty in place order, the
    /// place's name in UTF-8, `=`, then the IEEE-754 bits of l1 and of l2 as 8 big-endian bytes each (−0 as +0),
    /// and `;`. The baseline's encoding is empty.
    public var canonicalEncoding: [UInt8] {
        var bytes: [UInt8] = []
        func append(_ value: Double) {
            let bits = (value == 0 ? 0.0 : value).bitPattern
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
        }
        for item in penalties {
            bytes += Array(item.place.rawValue.utf8)
            bytes.append(UInt8(ascii: "="))
            append(item.penalty.l1)
            append(item.penalty.l2)
            bytes.append(UInt8(ascii: ";"))
        }
        return bytes
    }
}

extension ConfigurationSpec: Codable {
    private enum CodingKeys: String, CodingKey { case label, penalties, regularization }

    /// Writes the penalties, and the label for people reading the JSON (it is derived, and ignored when read).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(label, forKey: .label)
        try container.encode(penalties, forKey: .penalties)
    }

    /// Reads the current form, or the form of lstmlab 0.1 (a label and a full `regularization`): there the named
    /// places are the words of the label.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let penalties = try container.decodeIfPresent([PlacedPenalty].self, forKey: .penalties) {
            guard Set(penalties.map(\.place)).count == penalties.count else {
                throw DecodingError.dataCorruptedError(forKey: .penalties, in: container,
                                                       debugDescription: "a place is named twice")
            }
            self.init(penalties.map { ($0.place, $0.penalty) })
            return
        }
        let label = try container.decode(String.self, forKey: .label)
        let regularization = try container.decode(Regularization.self, forKey: .regularization)
        let places = label.components(separatedBy: " + ").compactMap { component in
            component.split(separator: " ").first.flatMap { PenaltyPlace(rawValue: String($0)) }
        }
        self.init(places.map { ($0, regularization[$0]) })
    }
}

extension L1L2 {
    /// The study's label, e.g. `L1L2(0.01,0.00)`: each coefficient with at least two decimals.
    public var label: String { "L1L2(\(formatCoefficient(l1)),\(formatCoefficient(l2)))" }
}

/// A penalty coefficient with the fewest decimals (at least two) that give it back, as the study's tables print
/// them: 0.01, 0.00, 0.001.
func formatCoefficient(_ value: Double) -> String {
    for decimals in 2...8 {
        let text = String(format: "%.\(decimals)f", value)
        if abs((Double(text) ?? .nan) - value) <= 1e-15 * max(1, abs(value)) { return text }
    }
    return "\(value)"
}

/// Settings shared by every run of an experiment.
public struct TrainingSettings: Sendable, Equatable, Hashable, Codable {
    public var profile: KerasProfile
    public var units: Int
    public var batchSize: Int
    public var lag: Int
    public var testSize: Int
    public var epochs: Int
    public var learningRate: Double

    public init(profile: KerasProfile = ExperimentDefaults.profile, units: Int = ExperimentDefaults.units,
                batchSize: Int = ExperimentDefaults.batchSize, lag: Int = ExperimentDefaults.lag,
                testSize: Int = ExperimentDefaults.testSize, epochs: Int = ExperimentDefaults.epochs,
                learningRate: Double = ExperimentDefaults.learningRate) {
        self.profile = profile
        self.units = units
        self.batchSize = batchSize
        self.lag = lag
        self.testSize = testSize
        self.epochs = epochs
        self.learningRate = learningRate
    }

    public var framing: FramingOptions { FramingOptions(lag: lag, testSize: testSize, batchSize: batchSize) }

    /// Checks every value a user can set against its range (`SettingLimits`); throws a one-line error naming the bad
    /// value and the range, e.g. `lag must be from 1 to 1000, got 99999999999`.
    public func validate() throws {
        try checkSetting("units", units, SettingLimits.units)
        try checkSetting("batch size", batchSize, SettingLimits.batchSize)
        try checkSetting("lag", lag, SettingLimits.lag)
        try checkSetting("test size", testSize, SettingLimits.testSize)
        try checkSetting("epochs", epochs, SettingLimits.epochs)
        try checkLearningRate(learningRate)
    }

    /// The memory a set of runs with these settings holds at once, in bytes, and its largest part in words. The
    /// runner keeps every run's result (its curve of `epochs` records, initial, final and Adam weights, snapshots)
    /// until the experiment ends; each run in flight (up to 8 per job, in SIMD lanes) holds a network (four buffers
    /// of P = 4u(lag + u + 1) + u + 1 parameters, plus per-batch caches), and each job Adam's step-size table of one
    /// entry per update; the framed series holds (lag + 1) values per row. `seriesLength` 0 leaves the series out.
    public func memoryNeeded(seriesLength: Int, runCount: Int, jobs: Int, snapshotInterval: Int?)
        -> (bytes: Double, largestPart: String)
    {
        let u = Double(units), lagValue = Double(lag), batch = Double(batchSize)
        let parameters = 4 * u * (lagValue + u + 1) + u + 1
        let rows = max(0, Double(seriesLength) - 1 - lagValue)
        let trainRows = max(0, rows - Double(testSize))
        let testRows = Double(testSize)
        let updates = Double(epochs) * max(1, (trainRows / batch).rounded(.up))
        let snapshots = snapshotInterval.map { $0 > 0 ? (Double(epochs) / Double($0)).rounded(.down) : 0 } ?? 0
        let runs = Double(max(0, runCount))
        // Each job trains up to 8 runs at once in SIMD lanes (the runner's widest vector).
        let workers = Double(max(1, min(jobs, max(1, runCount))))
        let inFlight = Double(max(1, min(jobs * 8, max(1, runCount))))

        let perResult = 8 * (4 + snapshots) * parameters + 32 * Double(epochs) + 64 * testRows + 512
        let perNetwork = 8 * (4 * parameters + batch * (13 * u + 1) + 5 * u) + 8 * (trainRows + testRows)
        let stepTable = 8 * updates
        let framed = rows * (8 * (2 * lagValue + 5) + 80) + Double(max(0, seriesLength)) * 48
        let parts: [(String, Double)] = [
            ("the results of \(runCount) run(s) kept until the end", runs * perResult),
            ("\(Int(inFlight)) network(s) in flight", inFlight * perNetwork),
            ("Adam step sizes for \(Int(updates)) updates per job", workers * stepTable),
            ("the framed series of \(Int(rows)) rows × \(lag + 1) values", framed),
            ("the list of runs", runs * 256),
            // Archiving one run at a time converts its curve and weights once more.
            ("archiving one run", perResult),
        ]
        let total = parts.reduce(0) { $0 + $1.1 }
        let largest = parts.max { $0.1 < $1.1 } ?? parts[0]
        return (total, "\(largest.0): \(formatByteCount(largest.1))")
    }

    /// Refuses settings whose runs would need more than `limit` bytes of memory (`memoryNeeded`), before anything
    /// is allocated, with a one-line message naming the largest part.
    public func checkMemory(seriesLength: Int, runCount: Int, jobs: Int, snapshotInterval: Int?,
                            limit: Double = SettingLimits.memoryLimit) throws {
        let (needed, largest) = memoryNeeded(seriesLength: seriesLength, runCount: runCount, jobs: jobs,
                                             snapshotInterval: snapshotInterval)
        guard needed <= limit else { throw ExperimentError.tooMuchMemory(needed: needed, limit: limit, largest: largest) }
    }
}

/// The allowed range of every number a user can set (the command line's options and the fields of a Keras dump).
/// The bounds keep every size computation far from overflow; the memory check (`TrainingSettings.checkMemory`)
/// refuses combinations that are individually allowed but too big together.
public enum SettingLimits {
    public static let units = 1...1000
    public static let lag = 1...1000
    public static let batchSize = 1...1_000_000
    public static let testSize = 1...1_000_000
    public static let epochs = 1...1_000_000
    public static let repeats = 1...10_000
    public static let jobs = 1...1024
    /// 0: no snapshots.
    public static let checkpointEvery = 0...1_000_000
    public static let faintRuns = 0...1000
    /// The learning rate must be > 0 and at most this (finite). A very large rate makes runs diverge: they are then
    /// archived as failed, which is the outcome the tests of diverging runs rely on.
    public static let largestLearningRate = Double.greatestFiniteMagnitude
    /// A penalty coefficient must be from 0 to this.
    public static let largestCoefficient = 1000.0
    /// An experiment name: at most this many bytes of UTF-8 (it names a folder and files).
    public static let experimentNameBytes = 100
    /// Seeds are stored as non-negative 64-bit signed integers.
    public static let largestSeed = UInt64(Int64.max)
    /// Half the physical memory: what the runs of one experiment may hold at once.
    public static var memoryLimit: Double { Double(ProcessInfo.processInfo.physicalMemory) / 2 }
}

/// Throws `outOfRange` unless `range` contains `value`: `lag must be from 1 to 1000, got 99999999999`.
public func checkSetting(_ name: String, _ value: Int, _ range: ClosedRange<Int>) throws {
    guard range.contains(value) else {
        throw ExperimentError.outOfRange(name: name, value: "\(value)",
                                         range: "from \(range.lowerBound) to \(range.upperBound)")
    }
}

/// Throws unless `value` is a finite learning rate > 0.
public func checkLearningRate(_ value: Double, name: String = "learning rate") throws {
    guard value > 0, value <= SettingLimits.largestLearningRate else {
        throw ExperimentError.outOfRange(name: name, value: "\(value)", range: "a finite number greater than 0")
    }
}

/// Throws unless `value` is a penalty coefficient from 0 to `SettingLimits.largestCoefficient`.
public func checkCoefficient(_ value: Double, name: String) throws {
    guard value >= 0, value <= SettingLimits.largestCoefficient else {
        throw ExperimentError.outOfRange(name: name, value: "\(value)",
                                         range: "from 0 to \(SettingLimits.largestCoefficient)")
    }
}

/// The full configuration of one run, as archived: shared settings plus the configuration's penalties.
public struct RunConfiguration: Sendable, Equatable, Hashable, Codable {
    public var configuration: ConfigurationSpec
    public var training: TrainingSettings

    public init(configuration: ConfigurationSpec, training: TrainingSettings) {
        self.configuration = configuration
        self.training = training
    }

    public var label: String { configuration.label }

    /// The network settings this configuration implies.
    public var networkSettings: NetworkSettings {
        NetworkSettings(
            shape: NetworkShape(lag: training.lag, units: training.units), profile: training.profile,
            regularization: configuration.regularization, batchSize: training.batchSize,
            learningRate: training.learningRate)
    }
}

/// How run seeds are derived; recorded with every experiment, so an archive written under an older derivation is
/// never extended with runs seeded differently.
public enum RunSeedDerivation {
    /// 1: lstmlab 0.1, from the configuration's display label. 2: from its canonical encoding.
    public static let current = 2
}

/// A run's seed, derived from the experiment seed, the configuration's canonical encoding and the repeat index only,
/// so that a run's result never depends on `--jobs`, scheduling or how labels print:
/// `runSeed = mix(experimentSeed ⊕ mix(fnv1a64(canonicalEncoding) ⊕ mix(repeatIndex)))`, where `mix` is the
/// SplitMix64 finaliser and `fnv1a64` the 64-bit FNV-1a hash; the top bit is cleared so that every seed is a
/// non-negative 64-bit integer in SQLite and in pandas.
public func deriveRunSeed(experimentSeed: UInt64, configuration: ConfigurationSpec, repeatIndex: Int) -> UInt64 {
    let repeatMix = splitMix64Finalize(UInt64(repeatIndex))
    let configurationMix = splitMix64Finalize(fnv1a64(bytes: configuration.canonicalEncoding) ^ repeatMix)
    return splitMix64Finalize(experimentSeed ^ configurationMix) & 0x7FFF_FFFF_FFFF_FFFF
}
