/// Per-column min-max scaling to [-1, 1], computed exactly as scikit-learn's `MinMaxScaler(feature_range=(-1, 1))`:
/// `scale = 2 / (max - min)` (1 where max = min), `offset = -1 - min·scale`, `x' = x·scale + offset`,
/// and the inverse `x = (x' - offset) / scale`. Using the same two-step arithmetic keeps the scaled values
/// bit-identical to scikit-learn's.
public struct MinMaxScaler: Sendable, Equatable, Codable {
    public var minimums: [Double]
    public var maximums: [Double]
    public var scales: [Double]
    public var offsets: [Double]

    /// Fits one scaler per column of `rows` (all rows have the same width).
    public init(fittingRows rows: [[Double]]) {
        precondition(!rows.isEmpty, "a scaler needs at least one row")
        let width = rows[0].count
        // The first of equal extremes is kept, as `Array.min()` and `max()` do.
        minimums = (0..<width).map { column in rows.dropFirst().reduce(rows[0][column]) { $1[column] < $0 ? $1[column] : $0 } }
        maximums = (0..<width).map { column in rows.dropFirst().reduce(rows[0][column]) { $1[column] > $0 ? $1[column] : $0 } }
        scales = zip(minimums, maximums).map { low, high in
            let range = high - low
            return (1.0 - -1.0) / (range == 0 ? 1 : range)
        }
        offsets = zip(minimums, scales).map { low, scale in -1.0 - low * scale }
    }

    public init(minimums: [Double], maximums: [Double], scales: [Double], offsets: [Double]) {
        self.minimums = minimums
        self.maximums = maximums
        self.scales = scales
        self.offsets = offsets
    }

    public var columnCount: Int { scales.count }

    /// `x·scale + offset` for the value of column `column`.
    @inlinable public func scale(_ value: Double, column: Int) -> Double {
        value * scales[column] + offsets[column]
    }

    /// `(x' - offset) / scale` for the value of column `column`.
    @inlinable public func invert(_ scaled: Double, column: Int) -> Double {
        (scaled - offsets[column]) / scales[column]
    }

    public func scale(row: [Double]) -> [Double] {
        row.indices.map { scale(row[$0], column: $0) }
    }
}
