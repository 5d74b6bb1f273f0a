import Archive
import Experiment
import Foundation

/// How far an experiment of an archive is from having every run it specifies.
public struct ExperimentCompleteness: Sendable, Equatable {
    public var experiment: String
    /// Runs of its specification that are finished or failed (ended) here.
    public var ended: Int
    public var expected: Int
    public var isComplete: Bool { ended == expected }

    public init(experiment: String, ended: Int, expected: Int) {
        self.experiment = experiment
        self.ended = ended
        self.expected = expected
    }
}

extension Lab {
    /// Merges an archive (e.g. a shard trained elsewhere) into this one, in one transaction (see
    /// `ArchiveStore.merge(from:)`); the source is opened read-only and never written. A shard whose records contradict
    /// themselves (`ArchiveStore.recordProblems`, and stored forecasts that its checkpoints' weights do not give) is
    /// refused before anything is taken from it.
    public func merge(shard path: String) throws -> MergeReport {
        let source = try ArchiveStore(path: path, access: .read)
        let problems = try mappingStorageErrors(path: path) { try source.recordProblems() }
        if let first = problems.first {
            throw ArchiveError.inconsistentArchive(path: path, firstProblem: first, count: problems.count)
        }
        let forecasts = Lab(store: source).forecastCheck()
        return try mappingStorageErrors(path: store.path) {
            try store.merge(from: source) { run, checkpoint in
                guard try forecasts(run, checkpoint) else {
                    throw ArchiveError.inconsistentArchive(
                        path: path, firstProblem: "run \(run.id!): its checkpoint's \(Self.otherWeights.dropFirst(4))", count: 1)
                }
            }
        }
    }

    /// For each experiment, how many of the runs its specification names have ended (finished or failed) here.
    public func completeness() throws -> [ExperimentCompleteness] {
        try store.experiments().map { experiment in
            let spec = try experiment.spec()
            let ended = Set(try store.runs(experimentID: experiment.id!).filter { $0.status == .finished || $0.status == .failed }
                .map { RunKey(label: $0.configurationLabel, repeatIndex: $0.repeatIndex, runSeed: UInt64(bitPattern: $0.runSeed)) })
            return ExperimentCompleteness(experiment: experiment.name, ended: spec.runs.filter { ended.contains(RunKey($0)) }.count,
                                          expected: spec.runs.count)
        }
    }

    /// Compares two archives' results bit for bit, ids, timestamps and hosts aside (`ArchiveStore.compare`); both are
    /// opened read-only.
    public static func compare(archive a: String, with b: String) throws -> ArchiveComparison {
        try ArchiveStore.compare(ArchiveStore(path: a, access: .read), ArchiveStore(path: b, access: .read))
    }
}
