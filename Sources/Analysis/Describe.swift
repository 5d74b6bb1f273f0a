import Foundation

/// The eight numbers of pandas `Series.describe()`: count, mean, standard deviation with n − 1, min, the
/// quartiles with linear interpolation (position (n − 1)·q between the sorted values), and max.
public struct Description: Sendable, Equatable, Codable {
    public var count: Int
    public var mean: Double
    /// Sample standard deviation (divisor n − 1); NaN for a single value, as pandas.
    public var std: Double
    public var min: Double
    public var q25: Double
    public var median: Double
    public var q75: Double
    public var max: Double

    public init(_ sample: [Double]) {
        precondition(!sample.isEmpty, "describe needs at least one value")
        let sorted = sample.sorted()
        count = sample.count
        mean = sampleMean(sample)
        std = sample.count > 1 ? sampleVariance(sample).squareRoot() : .nan
        min = sorted[0]
        max = sorted[sorted.count - 1]
        q25 = quantile(sorted: sorted, 0.25)
        median = quantile(sorted: sorted, 0.5)
        q75 = quantile(sorted: sorted, 0.75)
    }

    /// The statistics in pandas's row order, with its row names.
    public var rows: [(name: String, value: Double)] {
        [("count", Double(count)), ("mean", mean), ("std", std), ("min", min), ("25%", q25), ("50%", median),
         ("75%", q75), ("max", max)]
    }
}

/// The names of `describe()`'s eight statistics, in pandas's row order.
public let describeStatisticNames = ["count", "mean", "std", "min", "25%", "50%", "75%", "max"]

/// A `describe()` table of several named samples, printed as pandas prints `DataFrame.describe()`:
/// statistic names left-aligned, one right-aligned column per sample, six decimals.
public func describeTable(_ columns: [(name: String, description: Description)]) -> String {
    describeTable(cells: columns.map { column in
        (column.name, column.description.rows.map { $0.value.isNaN ? "NaN" : fixed($0.value, decimals: 6) })
    })
}

/// A `describe()` table of columns already written as text (eight cells each, in pandas's row order), laid out as
/// pandas lays it out: statistic names left-aligned, each column right-aligned to its widest cell or name, two
/// spaces between columns.
public func describeTable(cells columns: [(name: String, cells: [String])]) -> String {
    let indexWidth = describeStatisticNames.map(\.count).max()!
    let widths = columns.map { column in Swift.max(column.name.count, column.cells.map(\.count).max()!) }
    var lines: [String] = []
    var header = String(repeating: " ", count: indexWidth)
    for (column, width) in zip(columns, widths) { header += "  " + column.name.leftPadded(to: width) }
    lines.append(header)
    for (row, statistic) in describeStatisticNames.enumerated() {
        var line = statistic.padding(toLength: indexWidth, withPad: " ", startingAt: 0)
        for (column, width) in zip(columns, widths) { line += "  " + column.cells[row].leftPadded(to: width) }
        lines.append(line)
    }
    return lines.joined(separator: "\n")
}

extension String {
    /// The string right-aligned in a field of `width` characters.
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
