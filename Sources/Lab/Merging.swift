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

/// One shard merged: what merging it did, or why it was not merged.
public struct ShardMerge {
    public var shard: String
    public var outcome: Result<MergeReport, any Error>
}

/// What merging shards into an archive did, shard by shard, and the archive's experiments that still miss runs.
public struct ShardsMergeReport {
    public var shards: [ShardMerge]
    public var incomplete: [ExperimentCompleteness]

    /// Why the archive is not whole, one phrase each: shards not merged, shards with unfinished runs, experiments
    /// still missing runs; empty when every shard merged and every experiment is complete.
    public var failures: [String] {
        var failures: [String] = []
        for merge in shards {
            switch merge.outcome {
            case .success(let report):
                if !report.unfinished.isEmpty { failures.append("\(merge.shard) has \(report.unfinished.count) unfinished run(s)") }
            case .failure:
                failures.append("\(merge.shard) could not be merged")
            }
        }
        if !incomplete.isEmpty {
            failures.append("\(incomplete.count) experiment(s) still miss runs: train their missing shards and merge again")
        }
        return failures
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

    /// Merges `shards` into this archive one by one (`merge(shard:)`), handing each outcome to `onEach` as it comes (a
    /// shard that `validate` refuses or that cannot be merged does not stop the others), then counts how complete the
    /// archive's experiments are.
    public func merge(shards: [String], validate: (String) throws -> Void, onEach: (ShardMerge) -> Void) throws
        -> ShardsMergeReport
    {
        var merges: [ShardMerge] = []
        for shard in shards {
            let merge = ShardMerge(shard: shard, outcome: Result {
                try validate(shard)
                return try self.merge(shard: shard)
            })
            onEach(merge)
            merges.append(merge)
        }
        return ShardsMergeReport(shards: merges, incomplete: try completeness().filter { !$0.isComplete })
    }

    /// The first reason none of `shards` can be read (refused by `validate`, or not an archive), or nil when one can:
    /// a new archive is created to merge into only when there is something to merge.
    public static func reasonNoShardIsReadable(_ shards: [String], validate: (String) throws -> Void) -> (any Error)? {
        var firstError: (any Error)?
        for shard in shards {
            do {
                try validate(shard)
                _ = try Lab.reading(archive: shard)
                return nil
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        return firstError
    }

    /// For each experiment, how many of the runs its specification names have ended (finished or failed) here.
    public func completeness() throws -> [ExperimentCompleteness] {
        try store.experiments().map { experiment in
            let spec = try experiment.spec()
            let ended = Set(try store.runs(experimentID: experiment.id!).filter { $0.status == .finished || $0.status == .failed }
                .map { RunIdentity(experiment: experiment.name, $0) })
            return ExperimentCompleteness(experiment: experiment.name,
                                          ended: spec.runs.filter { ended.contains(RunIdentity(experiment: experiment.name, $0)) }.count,
                                          expected: spec.runs.count)
        }
    }

    /// Compares two archives' results bit for bit, ids, timestamps and hosts aside (`ArchiveStore.compare`); both are
    /// opened read-only.
    public static func compare(archive a: String, with b: String) throws -> ArchiveComparison {
        try ArchiveStore.compare(ArchiveStore(path: a, access: .read), ArchiveStore(path: b, access: .read))
    }
}
