import GRDB

/// The merge's conflict policy: which source runs are copied, left alone, replace attempts here, or refuse the merge.
extension ArchiveStore {
    /// What a merge does with one source run: copy it in, leave it (the same results are here), or copy it in
    /// replacing these unfinished attempts.
    enum MergeDecision { case new, alreadyThere, replacing([Int64]) }

    /// What to do with a source run here: nothing when the same results are here, replace unfinished attempts, or
    /// refuse a conflict (different results, or a live process training the run here).
    func mergeDecision(_ db: Database, identity: RunIdentity, run: StoredRun, sourceCheckpoint: Checkpoint?,
                       experimentID: Int64, source: ArchiveStore) throws -> MergeDecision {
        let here = try RunRecord.filter(Column("experiment_id") == experimentID && Column("configuration_label") == identity.label
                                        && Column("repeat_index") == identity.repeatIndex
                                        && Column("run_seed") == Int64(bitPattern: identity.runSeed)).fetchAll(db)
        var replacing: [Int64] = []
        for record in here {
            switch record.status {
            case .finished, .failed:
                var difference = run.firstDifference(from: try StoredRun.fetch(db, record))
                if difference == nil, let sourceCheckpoint {
                    // The same results must come with the same weights, snapshots and optimizer state.
                    difference = try sourceCheckpoint.firstDifference(from: loadVerifiedCheckpoint(of: record)).map { "checkpoint \($0)" }
                }
                if let difference {
                    throw ArchiveError.mergeConflict(
                        run: identity.description, source: "run \(run.record.id!) of \(source.path)",
                        target: "run \(record.id!) of \(path)", difference: difference)
                }
                return .alreadyThere
            case .running where record.isTrainedByLiveOtherProcess:
                throw ArchiveError.io("\(identity) is being trained in \(path) by \(record.owner!) (run \(record.id!)); "
                                      + "merge \(source.path) once it has finished")
            case .running, .interrupted:
                replacing.append(record.id!)
            }
        }
        return replacing.isEmpty ? .new : .replacing(replacing)
    }
}

extension StoredRun {
    /// The first way this run's results differ from another's (same identity), or nil when they are the same bits.
    func firstDifference(from other: StoredRun) -> String? {
        let a = record, b = other.record
        if a.status != b.status { return "status \(a.status.rawValue) against \(b.status.rawValue)" }
        if a.numericsVersion != b.numericsVersion {
            return "numerics version \(a.numericsVersion) against \(b.numericsVersion)"
        }
        if a.failedEpoch != b.failedEpoch { return "failing epoch \(a.failedEpoch ?? 0) against \(b.failedEpoch ?? 0)" }
        if let difference = CurveBytes.firstDifference(curve, other.curve) { return difference }
        func score(_ value: Double?) -> String { value.map { "\($0)" } ?? "none" }
        if a.finalTrainRMSE?.bitPattern != b.finalTrainRMSE?.bitPattern {
            return "final train RMSE \(score(a.finalTrainRMSE)) against \(score(b.finalTrainRMSE))"
        }
        if a.finalTestRMSE?.bitPattern != b.finalTestRMSE?.bitPattern {
            return "final test RMSE \(score(a.finalTestRMSE)) against \(score(b.finalTestRMSE))"
        }
        if a.configurationJSON != b.configurationJSON { return "configurations differ" }
        if forecasts.count != other.forecasts.count {
            return "\(forecasts.count) forecast months against \(other.forecasts.count)"
        }
        for (x, y) in zip(forecasts, other.forecasts)
        where x.month != y.month || x.forecast.bitPattern != y.forecast.bitPattern || x.observed.bitPattern != y.observed.bitPattern {
            return "forecast for \(x.month): \(x.forecast) against \(y.forecast) (observed \(x.observed) against \(y.observed))"
        }
        return nil
    }
}
