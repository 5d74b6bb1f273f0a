import Experiment
import Foundation
import GRDB

/// The archive's reads.
extension ArchiveStore {
    public func experiments() throws -> [ExperimentRecord] {
        try database.read { db in try ExperimentRecord.order(Column("id")).fetchAll(db) }
    }

    public func experiment(named name: String) throws -> ExperimentRecord {
        try database.read { db in
            if let record = try ExperimentRecord.filter(Column("name") == name).fetchOne(db) { return record }
            let known = try String.fetchAll(db, sql: "SELECT name FROM experiment ORDER BY id")
            throw ArchiveError.unknownExperiment(name, known: known)
        }
    }

    public func experiment(id: Int64) throws -> ExperimentRecord {
        try database.read { db in
            guard let record = try ExperimentRecord.fetchOne(db, key: id) else {
                throw ArchiveError.unknownExperiment("#\(id)", known: [])
            }
            return record
        }
    }

    /// Runs, optionally of one experiment and with one status, in id order.
    public func runs(experimentID: Int64? = nil, status: RunStatus? = nil) throws -> [RunRecord] {
        try database.read { db in
            var request = RunRecord.order(Column("id"))
            if let experimentID { request = request.filter(Column("experiment_id") == experimentID) }
            if let status { request = request.filter(Column("status") == status.rawValue) }
            return try request.fetchAll(db)
        }
    }

    public func run(id: Int64) throws -> RunRecord {
        try database.read { db in
            guard let record = try RunRecord.fetchOne(db, key: id) else { throw ArchiveError.unknownRun(String(id)) }
            return record
        }
    }

    /// A run's curve, epoch by epoch.
    public func curve(runID: Int64) throws -> [EpochRecord] {
        try database.read { db in try Self.fetchCurve(db, runID: runID) }
    }

    /// The curves of many runs, keyed by run id, read in one transaction.
    public func curves(runIDs: [Int64]) throws -> [Int64: [EpochRecord]] {
        try database.read { db in
            var curves: [Int64: [EpochRecord]] = [:]
            for id in runIDs { curves[id] = try Self.fetchCurve(db, runID: id) }
            return curves
        }
    }

    private static func fetchCurve(_ db: Database, runID: Int64) throws -> [EpochRecord] {
        guard let row = try CurveBytes.fetch(db, runID: runID) else { return [] }
        let epochs = row.epochs
        guard let train = doubles(fromFloat64Bytes: row.train), let test = doubles(fromFloat64Bytes: row.test),
              let loss = doubles(fromFloat64Bytes: row.loss),
              train.count == epochs, test.count == epochs, loss.count == epochs else {
            throw ArchiveError.io("the curve of run \(runID) is damaged (its arrays do not hold \(epochs) epochs)")
        }
        return (0..<epochs).map { EpochRecord(epoch: $0 + 1, trainRMSE: train[$0], testRMSE: test[$0], loss: loss[$0]) }
    }

    public func forecasts(runID: Int64) throws -> [ForecastRow] {
        try database.read { db in
            try ForecastRow.filter(Column("run_id") == runID).order(Column("step")).fetchAll(db)
        }
    }

}
