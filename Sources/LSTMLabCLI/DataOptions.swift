import ArgumentParser
import Experiment
import TimeSeries

/// Where the series comes from: the shipped shampoo sales, or any univariate CSV.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("A CSV file holding a univariate series (default: the shipped shampoo sales).",
                                            valueName: "file.csv"))
    var data: String?

    @Option(name: .long, help: "The column of the series, by header name or 0-based index (default: the last column).")
    var column: String?

    @Option(name: .long, help: "Whether the CSV's first row is a header: auto, present or absent.")
    var header: HeaderPolicy = .auto

    /// The series these options select.
    func loadSeries() throws -> Series { try loadSeries(default: nil) }

    /// The series these options select, or when they name no file, the series of `source` (the shipped shampoo
    /// sales when nil).
    func loadSeries(default source: DataSource?) throws -> Series {
        guard let path = data else { return try (source ?? .shampooSales).load() }
        return try loadSeriesFile(path, column: column, header: header)
    }
}

/// `forecast`'s series: by default the one the run was trained on.
struct ForecastDataOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("A CSV file holding a univariate series to forecast instead (default: the series "
                                            + "the run was trained on, as archived).", valueName: "file.csv"))
    var data: String?

    @Option(name: .long, help: "The column of the series, by header name or 0-based index (default: the last column).")
    var column: String?

    @Option(name: .long, help: "Whether the CSV's first row is a header: auto, present or absent.")
    var header: HeaderPolicy = .auto

    /// The series these options select; nil for the run's own.
    func loadSeries() throws -> Series? {
        try data.map { try loadSeriesFile($0, column: column, header: header) }
    }
}

/// A series from a CSV file, its column by header name or 0-based index (default: the last).
func loadSeriesFile(_ path: String, column: String?, header: HeaderPolicy) throws -> Series {
    let selector = column.map { Int($0).map(ColumnSelector.index) ?? .name($0) } ?? .last
    return try Series.load(csvAt: path, column: selector, header: header)
}

extension HeaderPolicy: ExpressibleByArgument {}
