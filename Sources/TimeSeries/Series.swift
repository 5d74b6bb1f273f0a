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

    /// The shampoo sales series of Makridakis, Wheelwright and Hyndman (1998), compiled into the binary from
    /// `Resources/shampoo-sales.csv`: 36 monthly observations, months "1-01" … "3-12" (years 1901 … 1903).
    public static func shampooSales() -> Series {
        guard let series = try? load(csvData: Data(PackageResources.shampoo_sales_csv), column: .name("Sales"))
        else { fatalError("the embedded shampoo-sales.csv is damaged") }
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

/// The bounds a loaded series is held to.
public enum SeriesLimits {
    /// The largest data file read, in bytes (a univariate series of millions of rows fits well within it).
    public static let maximumFileBytes = 100 << 20
    /// The largest magnitude of a value: beyond it, differences and squared errors could overflow to infinity.
    public static let largestMagnitude = 1e100
    /// The smallest magnitude of a non-zero value: below it, the range of the differences could be so small that
    /// the min-max scaler's factor 2 / (max − min) overflows to infinity.
    public static let smallestMagnitude = 1e-100
    static let largestMagnitudeText = "1e100"
    static let smallestMagnitudeText = "1e-100"
}

extension Series {
    /// Loads a univariate series from a CSV file through SwiftCSV.
    ///
    /// Every row must have as many fields as the first; the selected column must parse as a finite decimal number in
    /// every data row. Labels come from the first column when the file has more than one column, else from the row
    /// number. See `load(csvText:source:column:header:)` for what is accepted.
    public static func load(
        csvAt path: String, column: ColumnSelector = .last, header: HeaderPolicy = .auto
    ) throws -> Series {
        let data: Data
        do throws(FileReadProblem) {
            data = try readInputFile(atPath: path, maximumBytes: SeriesLimits.maximumFileBytes)
        } catch .notFound {
            throw TimeSeriesError.fileNotFound(path: path)
        } catch {
            throw TimeSeriesError.unreadableFile(path: path, reason: error.description)
        }
        var series = try load(csvData: data, source: path, column: column, header: header)
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        series.name = "\(name):\(series.name)"
        series.sourcePath = path
        return series
    }

    /// Parses a univariate series from CSV bytes, which must be UTF-8 (a byte-order mark is skipped). `source` names
    /// the bytes in messages (a path). The series is named after its column; it has no `sourcePath`.
    public static func load(
        csvData data: Data, source: String = "<data>", column: ColumnSelector = .last, header: HeaderPolicy = .auto
    ) throws -> Series {
        guard let text = String(validating: data, as: UTF8.self) else {
            let offset = firstInvalidUTF8Offset(data) ?? 0
            throw TimeSeriesError.unreadableFile(path: source, reason: "not UTF-8 text (invalid byte at offset \(offset))")
        }
        return try load(csvText: text, source: source, column: column, header: header)
    }

    /// Parses a univariate series from CSV text (comma-separated, optionally quoted fields, LF or CRLF line ends, an
    /// optional leading byte-order mark; blank lines are skipped). `source` names the text in messages.
    ///
    /// Refused, each with a one-line error naming the line: a field holding a control character such as a NUL byte
    /// (other tools would cut the value there), rows of different widths, and values that are not plain decimal
    /// numbers (`1,234`, `0x10`, `nan`, `inf`, `12abc`), or whose magnitude is above 1e100 or, unless 0,
    /// below 1e-100.
    public static func load(
        csvText: String, source: String = "<text>", column: ColumnSelector = .last, header: HeaderPolicy = .auto
    ) throws -> Series {
        let text = csvText.hasPrefix("\u{FEFF}") ? String(csvText.unicodeScalars.dropFirst()) : csvText
        let rows = try parseRows(text, source: source)
        guard let first = rows.first else { throw TimeSeriesError.emptyFile(path: source) }
        let width = first.fields.count
        for row in rows {
            guard row.fields.count == width else {
                throw TimeSeriesError.raggedRow(line: row.line, fieldCount: row.fields.count, expected: width)
            }
            for (index, field) in row.fields.enumerated() {
                if let scalar = field.unicodeScalars.first(where: { isControlCharacter($0) && $0 != "\t" }) {
                    throw TimeSeriesError.controlCharacter(line: row.line, column: index, character: scalar.value)
                }
            }
        }
        let hasHeader: Bool
        switch header {
        case .present: hasHeader = true
        case .absent: hasHeader = false
        case .auto:
            if case .name = column { hasHeader = true; break }
            let probeIndex = (try? columnIndex(column, header: first.fields)) ?? (width - 1)
            let probe = first.fields[probeIndex].trimmingCharacters(in: .whitespaces)
            // A header when the value field is not a number; a value that merely looks like one (`1,234`) is data,
            // so that its error is reported instead of the row being dropped as a header.
            hasHeader = Double(probe) == nil && !looksLikeGroupedNumber(probe)
        }
        let headerNames = hasHeader ? first.fields : (0..<width).map { "column \($0)" }
        let valueIndex = try columnIndex(column, header: hasHeader ? first.fields : nil, width: width)
        let dataRows = hasHeader ? Array(rows.dropFirst()) : rows
        guard !dataRows.isEmpty else { throw TimeSeriesError.emptyFile(path: source) }
        var labels: [String] = []
        var values: [Double] = []
        labels.reserveCapacity(dataRows.count)
        values.reserveCapacity(dataRows.count)
        for row in dataRows {
            let field = row.fields[valueIndex].trimmingCharacters(in: .whitespaces)
            guard let value = parseDecimal(field) else {
                throw TimeSeriesError.nonNumericValue(line: row.line, value: field)
            }
            guard abs(value) <= SeriesLimits.largestMagnitude, value == 0 || abs(value) >= SeriesLimits.smallestMagnitude else {
                throw TimeSeriesError.valueOutOfRange(line: row.line, value: field)
            }
            values.append(value)
            labels.append(width > 1 && valueIndex != 0 ? row.fields[0] : String(labels.count + 1))
        }
        return Series(name: headerNames[valueIndex], labels: labels, values: values, sourcePath: nil,
                      sourceColumn: hasHeader ? headerNames[valueIndex] : String(valueIndex))
    }

    private struct NumberedRow { var line: Int; var fields: [String] }

    private static func parseRows(_ text: String, source: String) throws -> [NumberedRow] {
        var rows: [NumberedRow] = []
        var line = 0
        do {
            let csv = try EnumeratedCSV(string: text, delimiter: .comma, loadColumns: false)
            try csv.enumerateAsArray(startAt: 0, rowLimit: nil) { fields in
                line += 1
                let isBlank = fields.allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty }
                if !isBlank { rows.append(NumberedRow(line: line, fields: fields)) }
            }
        } catch let error as CSVParseError {
            let detail: String
            switch error {
            case .quotation(let message), .generic(let message): detail = message
            }
            throw TimeSeriesError.unreadableFile(
                path: source, reason: "malformed CSV: a quote inside an unquoted field or after a closing quote "
                    + "(\(oneLine(detail, limit: 60)))")
        } catch {
            throw TimeSeriesError.unreadableFile(path: source, reason: "malformed CSV (\(oneLine(String(describing: error))))")
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

/// A plain decimal number: an optional sign, digits with an optional decimal point (or a point and digits), and an
/// optional exponent (`-12`, `3.5`, `.5`, `5.`, `1e-3`). Nothing else: no hexadecimal, `nan`, `inf`, thousands
/// separators, embedded spaces or NUL bytes (which `Double(String)` would silently stop at).
public func parseDecimal(_ text: some StringProtocol) -> Double? {
    let bytes = Array(text.utf8)
    var index = 0
    func digits() -> Int {
        let start = index
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
        return index - start
    }
    if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
    var mantissaDigits = digits()
    if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
        index += 1
        mantissaDigits += digits()
    }
    guard mantissaDigits > 0 else { return nil }
    if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
        index += 1
        if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard digits() > 0 else { return nil }
    }
    guard index == bytes.count else { return nil }
    return Double(String(decoding: bytes, as: UTF8.self))
}

/// Whether `text` is a number written with thousands separators: `1,234`, `-12,345.6`, `1 234`, `1'234`, `1_234`.
public func looksLikeGroupedNumber(_ text: some StringProtocol) -> Bool {
    var body = Substring(text)
    if body.first == "-" || body.first == "+" { body = body.dropFirst() }
    if let point = body.firstIndex(of: ".") {
        guard body[body.index(after: point)...].allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
        body = body[..<point]
    }
    for separator in [",", " ", "\u{A0}", "'", "_"] as [Character] {
        let groups = body.split(separator: separator, omittingEmptySubsequences: false)
        guard groups.count > 1 else { continue }
        let digitsOnly = groups.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }
        if digitsOnly, (1...3).contains(groups[0].count), groups.dropFirst().allSatisfy({ $0.count == 3 }) { return true }
    }
    return false
}
