import Foundation
import SwiftCSV

/// A univariate time series: one label (e.g. the month) and one value per observation, in time order.
public struct Series: Sendable, Equatable, Codable {
    public var name: String
    public var labels: [String]
    public var values: [Double]
    /// The CSV file and column it was loaded from (nil for the shipped series).
    public var sourcePath: String?
    public var sourceColumn: String?

    public init(name: String, labels: [String], values: [Double], sourcePath: String? = nil,
                sourceColumn: String? = nil) {
        precondition(labels.count == values.count, "one label per value")
        self.name = name
        self.labels = labels
        self.values = values
        self.sourcePath = sourcePath
        self.sourceColumn = sourceColumn
    }

    /// The shampoo sales series of Makridakis, Wheelwright and Hyndman (1998), shipped with the package:
    /// 36 monthly observations, months "1-01" … "3-12" (years 1901 … 1903).
    public static func shampooSales() -> Series {
        guard let url = Bundle.module.url(forResource: "shampoo-sales", withExtension: "csv"),
              let series = try? load(csvAt: url.path, column: .name("Sales"))
        else { fatalError("the shipped shampoo-sales.csv resource is missing or damaged") }
        return Series(name: "shampoo-sales", labels: series.labels, values: series.values)
    }
}

/// Which column of a CSV file holds the series.
public enum ColumnSelector: Sendable, Equatable {
    /// The column with this header name.
    case name(String)
    /// The column at this 0-based index.
    case index(Int)
    /// The last column (the usual place of the value beside a date column).
    case last
}

/// Whether the first row of a CSV file is a header.
public enum HeaderPolicy: String, Sendable, CaseIterable {
    /// A header when the first row's value field is not a number.
    case auto
    case present
    case absent
}

extension Series {
    /// Loads a univariate series from a CSV file through SwiftCSV.
    ///
    /// Every row must have as many fields as the first; the selected column must parse as a finite number in every
    /// data row. Labels come from the first column when the file has more than one column, else from the row number.
    public static func load(
        csvAt path: String, column: ColumnSelector = .last, header: HeaderPolicy = .auto
    ) throws -> Series {
        guard FileManager.default.fileExists(atPath: path) else { throw TimeSeriesError.fileNotFound(path: path) }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw TimeSeriesError.unreadableFile(path: path, reason: "not UTF-8 text")
        }
        let rows = try parseRows(text, path: path)
        guard let first = rows.first else { throw TimeSeriesError.emptyFile(path: path) }
        let width = first.fields.count
        for row in rows where row.fields.count != width {
            throw TimeSeriesError.raggedRow(line: row.line, fieldCount: row.fields.count, expected: width)
        }
        let hasHeader: Bool
        switch header {
        case .present: hasHeader = true
        case .absent: hasHeader = false
        case .auto:
            if case .name = column { hasHeader = true; break }
            let probeIndex = (try? columnIndex(column, header: first.fields)) ?? (width - 1)
            hasHeader = Double(first.fields[probeIndex].trimmingCharacters(in: .whitespaces)) == nil
        }
        let headerNames = hasHeader ? first.fields : (0..<width).map { "column \($0)" }
        let valueIndex = try columnIndex(column, header: hasHeader ? first.fields : nil, width: width)
        let dataRows = hasHeader ? Array(rows.dropFirst()) : rows
        guard !dataRows.isEmpty else { throw TimeSeriesError.emptyFile(path: path) }
        var labels: [String] = []
        var values: [Double] = []
        labels.reserveCapacity(dataRows.count)
        values.reserveCapacity(dataRows.count)
        for row in dataRows {
            let field = row.fields[valueIndex].trimmingCharacters(in: .whitespaces)
            guard let value = Double(field), value.isFinite else {
                throw TimeSeriesError.nonNumericValue(line: row.line, value: field)
            }
            values.append(value)
            labels.append(width > 1 && valueIndex != 0 ? row.fields[0] : String(labels.count + 1))
        }
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return Series(name: "\(name):\(headerNames[valueIndex])", labels: labels, values: values, sourcePath: path,
                      sourceColumn: hasHeader ? headerNames[valueIndex] : String(valueIndex))
    }

    private struct NumberedRow { var line: Int; var fields: [String] }

    private static func parseRows(_ text: String, path: String) throws -> [NumberedRow] {
        let csv: EnumeratedCSV
        do {
            csv = try EnumeratedCSV(string: text, delimiter: .comma, loadColumns: false)
        } catch {
            throw TimeSeriesError.unreadableFile(path: path, reason: "malformed CSV (\(error))")
        }
        var rows: [NumberedRow] = []
        var line = 0
        try csv.enumerateAsArray(startAt: 0, rowLimit: nil) { fields in
            line += 1
            let isBlank = fields.allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty }
            if !isBlank { rows.append(NumberedRow(line: line, fields: fields)) }
        }
        return rows
    }

    private static func columnIndex(_ column: ColumnSelector, header: [String]) throws -> Int {
        try columnIndex(column, header: header, width: header.count)
    }

    private static func columnIndex(_ column: ColumnSelector, header: [String]?, width: Int) throws -> Int {
        switch column {
        case .last:
            return width - 1
        case .index(let index):
            guard (0..<width).contains(index) else {
                throw TimeSeriesError.columnIndexOutOfRange(index: index, columnCount: width)
            }
            return index
        case .name(let name):
            let names = header ?? []
            guard let index = names.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == name }) else {
                throw TimeSeriesError.unknownColumn(name: name, available: names)
            }
            return index
        }
    }
}
