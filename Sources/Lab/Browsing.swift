import Analysis
import Archive
import Experiment
import Foundation

/// An experiment as the archive browser lists it: its record, specification and runs by status.
public struct ExperimentOverview: Sendable {
    public var record: ExperimentRecord
    public var spec: ExperimentSpec
    public var finished: Int
    public var failed: Int
    public var running: Int
    public var interrupted: Int

    public var id: Int64 { record.id! }
    /// Runs the specification asks for (configurations × repeats).
    public var expected: Int { spec.configurations.count * spec.repeats }
}

/// A configuration of an experiment, by the experiment's id and the configuration's label.
public struct ConfigurationReference: Sendable, Hashable {
    public var experimentID: Int64
    public var label: String

    public init(experimentID: Int64, label: String) {
        self.experimentID = experimentID
        self.label = label
    }
}

/// A configuration with finished runs, as the compare page offers it.
public struct ConfigurationListing: Sendable {
    public var experimentID: Int64
    public var experiment: String
    public var label: String
    public var finished: Int
}

/// One configuration's curves: the mean and quartile bands over its finished runs, and the runs' own curves.
public struct ConfigurationCurves: Sendable {
    public var experimentID: Int64
    public var experiment: String
    public var summary: CurveSummary
    /// Finished runs' ids, in the order of `summary.runCurves`.
    public var runIDs: [Int64]
    public var label: String { summary.label }
}

/// One configuration's final test RMSE described as pandas does, beside its mean curves' diagnostics.
public struct ConfigurationSummary: Sendable {
    public var label: String
    public var failed: Int
    public var description: Description
    public var diagnostics: CurveDiagnostics
}

/// Errors of the browsing use cases a user can cause; one line each.
public enum BrowsingError: Error, Equatable, CustomStringConvertible {
    case unknownExperimentID(Int64)
    case noCurves(configuration: String, experiment: String)
    case checkpointOutsideArchive(runID: Int64)

    public var description: String {
        switch self {
        case .unknownExperimentID(let id): "no experiment with id \(id) in the archive"
        case .noCurves(let configuration, let experiment):
            "configuration '\(configuration)' of experiment '\(experiment)' has no finished run with a curve"
        case .checkpointOutsideArchive(let runID):
            "the checkpoint of run \(runID) is not inside the archive's checkpoints folder"
        }
    }
}

extension Lab {
    /// Every experiment with its runs counted by status, in id order (one query for the counts).
    public func experimentOverviews() throws -> [ExperimentOverview] {
        let counts = try store.runStatusCounts()
        return try store.experiments().map { try overview($0, counts: counts[$0.id!] ?? [:]) }
    }

    /// One experiment by id; an unknown id is `BrowsingError.unknownExperimentID`.
    public func experimentOverview(id: Int64) throws -> ExperimentOverview {
        let record = try experimentRecord(id: id)
        return try overview(record, counts: try store.runStatusCounts()[id] ?? [:])
    }

    /// An experiment's finished results by its id (`results(of:)`).
    public func results(ofExperimentID id: Int64) throws -> ExperimentResults {
        try results(of: try experimentRecord(id: id).name)
    }

    /// The configurations that have finished runs, experiment by experiment.
    public func finishedConfigurations() throws -> [ConfigurationListing] {
        let names = Dictionary(uniqueKeysWithValues: try store.experiments().map { ($0.id!, $0.name) })
        return try store.finishedConfigurations().map {
            ConfigurationListing(experimentID: $0.experimentID, experiment: names[$0.experimentID] ?? "?", label: $0.label,
                                 finished: $0.finished)
        }
    }

    /// Mean, quartile bands, diagnostics and the runs' own curves of configurations, possibly of several experiments,
    /// in the order asked; reads only the train and test arrays of the finished runs. An unknown experiment or label
    /// is an error.
    public func configurationCurves(_ references: [ConfigurationReference]) throws -> [ConfigurationCurves] {
        var resultsByExperiment: [Int64: ExperimentResults] = [:]
        var chosen: [(reference: ConfigurationReference, results: ExperimentResults, configuration: ConfigurationResults)] = []
        for reference in references {
            if resultsByExperiment[reference.experimentID] == nil {
                resultsByExperiment[reference.experimentID] = try results(ofExperimentID: reference.experimentID)
            }
            let results = resultsByExperiment[reference.experimentID]!
            chosen.append((reference, results, try results.configuration(reference.label)))
        }
        let summaries = try curveSummaries(chosen.map {
            CurveGroup(label: $0.reference.label, runIDs: $0.configuration.runIDs,
                       noCurves: .noCurves(configuration: $0.reference.label, experiment: $0.results.name))
        })
        return zip(chosen, summaries).map { item, read in
            ConfigurationCurves(experimentID: item.reference.experimentID, experiment: item.results.name,
                                summary: read.summary, runIDs: read.runIDs)
        }
    }

    /// Runs whose curves are summarised together under `label`; `noCurves` is thrown when none has an epoch.
    struct CurveGroup {
        var label: String
        var runIDs: [Int64]
        var noCurves: BrowsingError
    }

    /// The one read of curves, behind `curves`, `serve` and the notebooks: each group's train and test curves (only
    /// those arrays, all groups in one transaction) summarised over the epochs all its runs have, leaving out runs
    /// without a curve; returns each summary with the ids of the runs in it.
    func curveSummaries(_ groups: [CurveGroup]) throws -> [(summary: CurveSummary, runIDs: [Int64])] {
        let curves = try store.curveColumns(runIDs: groups.flatMap(\.runIDs))
        return try groups.map { group in
            let ids = group.runIDs.filter { curves[$0] != nil }
            let epochCount = ids.map { curves[$0]!.train.count }.min() ?? 0
            guard epochCount > 0 else { throw group.noCurves }
            return (CurveSummary(label: group.label, epochs: Array(1...epochCount), runCurves: ids.map { curves[$0]! }), ids)
        }
    }

    /// Each configuration of an experiment with finished runs: `describe()` of its final test RMSE and its mean
    /// curves' diagnostics, in the specification's order.
    public func configurationSummaries(experimentID: Int64) throws -> [ConfigurationSummary] {
        let results = try results(ofExperimentID: experimentID)
        let curves = try configurationCurves(experimentID: experimentID)
        return zip(results.configurations, curves).map { configuration, curve in
            ConfigurationSummary(label: configuration.label, failed: configuration.failedCount,
                                 description: Description(configuration.scores), diagnostics: curve.summary.diagnostics)
        }
    }

    /// Every configuration of an experiment, in the specification's order (`configurationCurves`).
    public func configurationCurves(experimentID: Int64) throws -> [ConfigurationCurves] {
        let results = try results(ofExperimentID: experimentID)
        return try configurationCurves(results.configurations.map {
            ConfigurationReference(experimentID: experimentID, label: $0.label)
        })
    }

    /// One finished run's curves as a configuration of one run, labelled `run N (configuration)`.
    public func singleRunCurves(id: Int64) throws -> ConfigurationCurves {
        let record = try store.run(id: id)
        guard record.status == .finished else { throw ArchiveError.runNotFinished(runID: id, status: record.status.rawValue) }
        let experiment = try experimentRecord(id: record.experimentID)
        let read = try curveSummaries([CurveGroup(label: "run \(id) (\(record.configurationLabel))", runIDs: [id],
                                                  noCurves: .noCurves(configuration: "run \(id)", experiment: experiment.name))])[0]
        return ConfigurationCurves(experimentID: record.experimentID, experiment: experiment.name, summary: read.summary,
                                   runIDs: read.runIDs)
    }

    /// A run's record and its curve (one row read); an unknown id is `ArchiveError.unknownRun`.
    public func runCurve(id: Int64) throws -> (record: RunRecord, curve: [EpochRecord]) {
        (try store.run(id: id), try store.curve(runID: id))
    }

    /// The epochs whose weights a finished run's checkpoint holds (its snapshots and its last epoch), read from the
    /// verified checkpoint.
    public func snapshotEpochs(runID: Int64) throws -> [Int] {
        let checkpoint = try store.loadVerifiedCheckpoint(of: try store.run(id: runID))
        return Set(checkpoint.snapshots.map(\.epoch) + [checkpoint.epochs]).sorted()
    }

    /// The absolute path of a run's checkpoint file, only when it is a regular file inside the archive's own
    /// checkpoints folder once every symbolic link is resolved; otherwise an error (missing, or elsewhere).
    public func checkpointFile(runID: Int64) throws -> String {
        let run = try store.run(id: runID)
        guard let stored = run.checkpointPath else {
            throw ArchiveError.runNotFinished(runID: runID, status: run.status.rawValue)
        }
        let path = store.resolveCheckpointPath(stored)
        guard let real = canonicalPath(path) else { throw ArchiveError.missingCheckpoint(runID: runID, path: path) }
        guard store.holdsCheckpoint(atCanonicalPath: real, legacyFolderToo: false) else {
            throw BrowsingError.checkpointOutsideArchive(runID: runID)
        }
        var status = stat()
        guard stat(real, &status) == 0, UInt32(status.st_mode) & 0o170000 == 0o100000 else {
            throw ArchiveError.missingCheckpoint(runID: runID, path: path)
        }
        return real
    }

    /// The bytes of a run's checkpoint file for download: only from the archive's own checkpoints folder
    /// (`checkpointFile`), only when they match the SHA-256 the archive recorded, and only when the checkpoint is this
    /// run's (`loadTrustedCheckpoint`).
    public func checkpointDownload(runID: Int64) throws -> Data {
        let path = try checkpointFile(runID: runID)
        let run = try store.run(id: runID)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ArchiveError.unreadableCheckpoint(path: path, reason: "it cannot be read")
        }
        guard sha256Hex(of: data) == run.checkpointSHA256 else { throw ArchiveError.checkpointHashMismatch(path: path) }
        _ = try loadTrustedCheckpoint(of: run, series: try store.experiment(id: run.experimentID).series())
        return data
    }

    private func experimentRecord(id: Int64) throws -> ExperimentRecord {
        do {
            return try store.experiment(id: id)
        } catch ArchiveError.unknownExperiment {
            throw BrowsingError.unknownExperimentID(id)
        }
    }

    private func overview(_ record: ExperimentRecord, counts: [RunStatus: Int]) throws -> ExperimentOverview {
        ExperimentOverview(record: record, spec: try record.spec(), finished: counts[.finished] ?? 0,
                           failed: counts[.failed] ?? 0, running: counts[.running] ?? 0,
                           interrupted: counts[.interrupted] ?? 0)
    }
}
