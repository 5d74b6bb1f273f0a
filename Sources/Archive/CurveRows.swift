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
    try CurveBytes(epochs: curve.count, train: float64Bytes(curve.map(\.trainRMSE)), test: float64Bytes(curve.map(\.testRMSE)),
                   loss: float64Bytes(curve.map(\.loss))).insert(db, runID: runID)
}

/// A `run_curve` row as stored: three little-endian float64 arrays.
struct CurveBytes: Sendable, Equatable {
    var epochs: Int
    var train: Data
    var test: Data
    var loss: Data

    /// A run's row as stored; nil when it has none.
    static func fetch(_ db: Database, runID: Int64) throws -> CurveBytes? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT epochs, train_rmse, test_rmse, loss FROM run_curve WHERE run_id = ?
            """), arguments: [runID]) else { return nil }
        return CurveBytes(epochs: row[0], train: row[1], test: row[2], loss: row[3])
    }

    /// Stores the row for a run, the bytes unchanged.
    func insert(_ db: Database, runID: Int64) throws {
        try db.cachedStatement(sql: "INSERT INTO run_curve (run_id, epochs, train_rmse, test_rmse, loss) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [runID, epochs, train, test, loss])
    }

    /// Where two curves first differ, as `test RMSE at epoch 17: 93.1 against 93.2`; nil when bit-identical.
    static func firstDifference(_ a: CurveBytes?, _ b: CurveBytes?) -> String? {
        guard let a, let b else { return a == nil && b == nil ? nil : "a curve on one side only" }
        if a.epochs != b.epochs { return "\(a.epochs) epochs against \(b.epochs)" }
        for (name, x, y) in [("train RMSE", a.train, b.train), ("test RMSE", a.test, b.test), ("loss", a.loss, b.loss)] where x != y {
            let xs = doubles(fromFloat64Bytes: x) ?? [], ys = doubles(fromFloat64Bytes: y) ?? []
            guard xs.count == ys.count, let epoch = xs.indices.first(where: { xs[$0].bitPattern != ys[$0].bitPattern }) else {
                return "\(name): damaged curve arrays"
            }
            return "\(name) at epoch \(epoch + 1): \(xs[epoch]) against \(ys[epoch])"
        }
        return nil
    }
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
