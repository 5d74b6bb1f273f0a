import Experiment
import GRDB
import GRDBSQLite

/// Bulk writing of a run's rows: its curve and its forecasts.
extension ArchiveStore {
    static let curveRowsPerStatement = 250
    static let fullCurveInsert = curveInsert(rows: curveRowsPerStatement)

    /// `INSERT INTO epoch … VALUES (?, ?, ?, ?, ?), …` for `rows` rows.
    static func curveInsert(rows: Int) -> String {
        "INSERT INTO epoch (run_id, epoch, train_rmse, test_rmse, loss) VALUES "
            + Array(repeating: "(?, ?, ?, ?, ?)", count: rows).joined(separator: ", ")
    }

    /// Inserts a run's curve through one prepared multi-row INSERT of `curveRowsPerStatement` epochs, binding the
    /// values directly (GRDB's argument arrays box every value, which costs more than SQLite's insert itself).
    /// Values are bound as doubles, never printed, so they are stored bit for bit.
    func insertCurve(_ db: Database, runID: Int64, result: RunResult) throws {
        let curve = result.finiteCurve
        var start = 0
        while start < curve.count {
            let chunk = curve[start..<min(start + Self.curveRowsPerStatement, curve.count)]
            let sql = chunk.count == Self.curveRowsPerStatement ? Self.fullCurveInsert : Self.curveInsert(rows: chunk.count)
            let statement = try db.cachedStatement(sql: sql)
            let handle = statement.sqliteStatement
            sqlite3_reset(handle)
            var index: Int32 = 1
            for record in chunk {
                sqlite3_bind_int64(handle, index, runID)
                sqlite3_bind_int64(handle, index + 1, Int64(record.epoch))
                sqlite3_bind_double(handle, index + 2, record.trainRMSE)
                sqlite3_bind_double(handle, index + 3, record.testRMSE)
                sqlite3_bind_double(handle, index + 4, record.loss)
                index += 5
            }
            let code = sqlite3_step(handle)
            sqlite3_reset(handle)
            guard code == SQLITE_DONE else {
                throw ArchiveError.io("cannot insert the curve of run \(runID): \(String(cString: sqlite3_errstr(code)))")
            }
            start += chunk.count
        }
    }


    /// Inserts a run's test-month forecasts beside the observed values.
    func insertForecasts(_ db: Database, runID: Int64, result: RunResult) throws {
        let forecast = try db.cachedStatement(sql: """
            INSERT INTO forecast (run_id, step, month, forecast, observed) VALUES (?, ?, ?, ?, ?)
            """)
        for index in result.testForecasts.indices {
            try forecast.execute(arguments: [runID, index + 1, result.testLabels[index],
                                             result.testForecasts[index], result.testObserved[index]])
        }
    }
}
