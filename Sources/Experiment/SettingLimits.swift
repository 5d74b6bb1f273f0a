import Foundation

/// The allowed range of every number a user can set (the command line's options and the fields of a Keras dump).
/// The bounds keep every size computation far from overflow; the memory check (`TrainingSettings.checkMemory`)
/// refuses combinations that are individually allowed but too big together.
public enum SettingLimits {
    public static let units = 1...1000
    public static let lag = 1...1000
    public static let batchSize = 1...1_000_000
    public static let testSize = 1...1_000_000
    public static let epochs = 1...1_000_000
    /// 0: every training row.
    public static let trainRows = 0...1_000_000
    public static let replicate = 0...1_000_000
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

/// Throws unless `value` is a dropout rate: from 0 to below 1.
public func checkRate(_ value: Double, name: String) throws {
    guard value >= 0, value < 1 else {
        throw ExperimentError.outOfRange(name: name, value: "\(value)", range: "from 0 to below 1")
    }
}

/// Throws unless `value` is a penalty coefficient from 0 to `SettingLimits.largestCoefficient`.
public func checkCoefficient(_ value: Double, name: String) throws {
    guard value >= 0, value <= SettingLimits.largestCoefficient else {
        throw ExperimentError.outOfRange(name: name, value: "\(value)",
                                         range: "from 0 to \(SettingLimits.largestCoefficient)")
    }
}
