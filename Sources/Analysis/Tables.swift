import Foundation

/// A `describe()` summary of each configuration, in the formats the commands print.
public struct SummaryTable: Sendable, Codable {
    public struct Column: Sendable, Codable {
        public var configuration: String
        public var description: Description
    }

    public var experiment: String
    public var columns: [Column]

    public init(_ results: ExperimentResults) {
        experiment = results.name
        columns = results.configurations.map { Column(configuration: $0.label, description: Description($0.scores)) }
    }

    /// As pandas prints `DataFrame.describe()` (six decimals), a few configurations per block.
    public var text: String {
        let blocks = stride(from: 0, to: columns.count, by: 4).map { start in
            describeTable(columns[start..<min(start + 4, columns.count)].map { ($0.configuration, $0.description) })
        }
        return blocks.joined(separator: "\n\n")
    }

    /// One row per configuration: `configuration,count,mean,std,min,25%,50%,75%,max` at full precision; an
    /// undefined value (the std of a single run) is an empty field, as pandas writes NaN.
    public var csv: String {
        var lines = ["configuration,count,mean,std,min,25%,50%,75%,max"]
        for column in columns {
            let values = column.description.rows.dropFirst().map { $0.value.isNaN ? "" : "\($0.value)" }
            lines.append("\(csvField(column.configuration)),\(column.description.count),\(values.joined(separator: ","))")
        }
        return lines.joined(separator: "\n")
    }

    /// A markdown table, one row per configuration, RMSE with 3 decimals.
    public var markdown: String {
        var lines = ["| configuration | count | mean | std | min | 25% | 50% | 75% | max |",
                     "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for column in columns {
            let d = column.description
            let cells = [d.mean, d.std, d.min, d.q25, d.median, d.q75, d.max].map(format3)
            lines.append("| \(column.configuration) | \(d.count) | \(cells.joined(separator: " | ")) |")
        }
        return lines.joined(separator: "\n")
    }
}
