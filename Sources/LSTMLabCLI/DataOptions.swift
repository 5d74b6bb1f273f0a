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
        return try DataSource.csv(path: path, column: column).load(header: header)
    }
}

extension HeaderPolicy: ExpressibleByArgument {}
