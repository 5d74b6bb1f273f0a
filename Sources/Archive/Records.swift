import Experiment
import Foundation
import GRDB
import TimeSeries

/// A row of `experiment`.
public struct ExperimentRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "experiment"
    public var id: Int64?
    public var name: String
    public var preset: String
    public var seed: Int64
    public var specJSON: String
    /// The series the experiment was trained on (name, labels, values), so any run can be re-trained from it.
    public var seriesJSON: String
    public var createdAt: String
    public var productVersion: String
    public var gitCommit: String
    public var host: String
    public var os: String
    public var cpuModel: String
    public var swiftVersion: String
    /// How its run seeds were derived (`RunSeedDerivation`): 1 for experiments written by lstmlab 0.1.
    public var seedDerivation: Int
    /// The experiment file it was run from, as written (nil for a preset run by name or an ad-hoc configuration).
    public var experimentFile: String?

    enum CodingKeys: String, CodingKey {
        case id, name, preset, seed, specJSON = "spec_json", seriesJSON = "series_json", createdAt = "created_at",
             productVersion = "product_version", gitCommit = "git_commit", host, os, cpuModel = "cpu_model",
             swiftVersion = "swift_version", seedDerivation = "seed_derivation",
             experimentFile = "experiment_file"
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// The experiment's specification.
    public func spec() throws -> ExperimentSpec {
        try JSONDecoder().decode(ExperimentSpec.self, from: Data(specJSON.utf8))
    }

    /// The series the experiment was trained on.
    public func series() throws -> Series {
        try JSONDecoder().decode(Series.self, from: Data(seriesJSON.utf8))
    }
}

/// The status of a run.
public enum RunStatus: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case running, finished, failed, interrupted
}

/// A row of `run`.
public struct RunRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "run"
    public var id: Int64?
    public var experimentID: Int64
    public var configurationLabel: String
    public var repeatIndex: Int
    public var runSeed: Int64
    public var configurationJSON: String
    public var status: RunStatus
    /// `host:pid:start` of the process training the run while it is `running` (`processOwner`; older archives
    /// may hold `host:pid`).
    public var owner: String?
    public var startedAt: String
    public var endedAt: String?
    public var finalTrainRMSE: Double?
    public var finalTestRMSE: Double?
    public var failedEpoch: Int?
    public var error: String?
    public var checkpointPath: String?
    public var checkpointSHA256: String?
    /// The engine's numerics version that trained the run (`numericsVersion`; 1 for runs of lstmlab 0.1).
    public var numericsVersion: Int
    /// Where the run was trained: the host, the commit and version of lstmlab, and the engine (`Provenance`).
    public var host: String
    public var gitCommit: String
    public var productVersion: String
    public var engine: String

    enum CodingKeys: String, CodingKey {
        case id, experimentID = "experiment_id", configurationLabel = "configuration_label",
             repeatIndex = "repeat_index", runSeed = "run_seed", configurationJSON = "configuration_json", status, owner,
             startedAt = "started_at", endedAt = "ended_at", finalTrainRMSE = "final_train_rmse",
             finalTestRMSE = "final_test_rmse", failedEpoch = "failed_epoch", error,
             checkpointPath = "checkpoint_path", checkpointSHA256 = "checkpoint_sha256",
             numericsVersion = "numerics_version", host, gitCommit = "git_commit", productVersion = "product_version",
             engine
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// The run's full configuration.
    public func configuration() throws -> RunConfiguration {
        try JSONDecoder().decode(RunConfiguration.self, from: Data(configurationJSON.utf8))
    }

    /// The status as it stands now: a run still marked `running` whose process is gone (killed, or this process's
    /// own) is `interrupted`, as `check`, `runs`, `show` and every answer of `serve` report it.
    public var currentStatus: RunStatus {
        status == .running && !(owner.map { isLiveOtherProcess($0) } ?? false) ? .interrupted : status
    }
}

/// A row of `forecast`: one test month's forecast beside the observed value.
public struct ForecastRow: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "forecast"
    public var runID: Int64
    public var step: Int
    public var month: String
    public var forecast: Double
    public var observed: Double

    enum CodingKeys: String, CodingKey {
        case runID = "run_id", step, month, forecast, observed
    }
}

/// Timestamps as ISO 8601 in UTC, with milliseconds.
func timestamp(_ date: Date = Date()) -> String {
    date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
}
