import Experiment
import Foundation
import GRDB

/// Writing a run's rows: its curve and its forecasts.
extension ArchiveStore {
    /// Inserts a run's curve as one row of three float64 arrays (`run_curve`).
    func insertCurve(_ db: Database, runID: Int64, result: RunResult) throws {
        try insertCurveRow(db, runID: runID, curve: result.finiteCurve)
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

/// Inserts a curve as one `run_curve` row: train RMSE, test RMSE and loss as little-endian float64 arrays, bound as
/// bytes (never printed), so they are stored bit for bit. Epochs must be 1, 2, … in order.
func insertCurveRow(_ db: Database, runID: Int64, curve: [EpochRecord]) throws {
    let statement = try db.cachedStatement(sql: """
        INSERT INTO run_curve (run_id, epochs, train_rmse, test_rmse, loss) VALUES (?, ?, ?, ?, ?)
        """)
    try statement.execute(arguments: [runID, curve.count, float64Bytes(curve.map(\.trainRMSE)),
                                      float64Bytes(curve.map(\.testRMSE)), float64Bytes(curve.map(\.loss))])
}

/// Doubles as little-endian IEEE-754 bytes.
func float64Bytes(_ values: [Double]) -> Data {
    let littleEndian = values.map { $0.bitPattern.littleEndian }
    return littleEndian.withUnsafeBytes { Data($0) }
}

/// Little-endian IEEE-754 bytes as doubles; nil when the length is not a multiple of 8.
func doubles(fromFloat64Bytes data: Data) -> [Double]? {
    guard data.count % 8 == 0 else { return nil }
    return data.withUnsafeBytes { raw in
        (0..<(data.count / 8)).map { Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self))) }
    }
}
