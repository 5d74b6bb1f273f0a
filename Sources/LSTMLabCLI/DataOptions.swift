import ArgumentParser
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
    func loadSeries() throws -> Series {
        guard let path = data else { return .shampooSales() }
        let selector: ColumnSelector
        if let column {
            selector = Int(column).map(ColumnSelector.index) ?? .name(column)
        } else {
            selector = .last
        }
        return try Series.load(csvAt: path, column: selector, header: header)
    }
}

extension HeaderPolicy: ExpressibleByArgument {}
