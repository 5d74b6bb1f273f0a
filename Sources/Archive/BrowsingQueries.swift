import Foundation
import GRDB

/// Reads for browsing an archive: run counts by status, the finished configurations, and curves as plain columns.
extension ArchiveStore {
    /// Runs of every experiment by status, in one snapshot: experiment id → status → count. A run still marked
    /// `running` whose process is gone (killed) counts as `interrupted`, as `check` calls it.
    public func runStatusCounts() throws -> [Int64: [RunStatus: Int]] {
        try database.read { db in
            var counts: [Int64: [RunStatus: Int]] = [:]
            let rows = try Row.fetchCursor(db, sql: """
                SELECT experiment_id, status, count(*) FROM run WHERE status <> 'running' GROUP BY experiment_id, status
                """)
            while let row = try rows.next() {
                guard let status = RunStatus(rawValue: row[1]) else { continue }
                counts[row[0], default: [:]][status] = row[2]
            }
            for run in try RunRecord.filter(Column("status") == RunStatus.running.rawValue).fetchAll(db) {
                counts[run.experimentID, default: [:]][run.currentStatus, default: 0] += 1
            }
            return counts
        }
    }

    /// Every configuration that has finished runs: experiment id, label and finished count, in order of the
    /// configuration's first run.
    public func finishedConfigurations() throws -> [(experimentID: Int64, label: String, finished: Int)] {
        try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT experiment_id, configuration_label, count(*) FROM run WHERE status = 'finished'
                GROUP BY experiment_id, configuration_label ORDER BY experiment_id, min(id)
                """).map { ($0[0], $0[1], $0[2]) }
        }
    }

    /// The train and test RMSE arrays of many runs (one `run_curve` row each, the loss left unread), keyed by run id,
    /// in one transaction; a run without a curve is absent.
    public func curveColumns(runIDs: [Int64]) throws -> [Int64: (train: [Double], test: [Double])] {
        try database.read { db in
            let statement = try db.cachedStatement(sql: "SELECT epochs, train_rmse, test_rmse FROM run_curve WHERE run_id = ?")
            var curves: [Int64: (train: [Double], test: [Double])] = [:]
            for id in runIDs {
                guard let row = try Row.fetchOne(statement, arguments: [id]) else { continue }
                let epochs: Int = row[0]
                guard let train = doubles(fromFloat64Bytes: row[1]), let test = doubles(fromFloat64Bytes: row[2]),
                      train.count == epochs, test.count == epochs else {
                    throw ArchiveError.io("the curve of run \(id) is damaged (its arrays do not hold \(epochs) epochs)")
                }
                curves[id] = (train, test)
            }
            return curves
        }
    }
}
