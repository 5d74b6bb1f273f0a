import Analysis
import ArgumentParser
import Experiment
import Foundation

/// `lstmlab summary EXPERIMENT`: the `describe()` table of each configuration's final test RMSE.
struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Summarise an experiment's final test RMSE per configuration, as pandas describe().")

    @Argument(help: "The experiment's name (see `lstmlab runs`).")
    var experiment: String

    @Option(name: .long, help: "Output format: table, csv or json.")
    var format: OutputFormat = .table

    @Option(name: .long, help: ArgumentHelp("Also write the box plot of test RMSE per configuration to this SVG file.",
                                            valueName: "file.svg"))
    var plot: String?

    @OptionGroup var archiveOptions: ArchiveOptions

    func run() throws {
        if let plot { try checkWritableFile(plot, option: "--plot", archive: archiveOptions.archive) }
        let results = try archiveOptions.openExisting().results(of: experiment)
        warnIfIncomplete(results)
        let table = SummaryTable(results)
        switch format {
        case .table: print(table.text)
        case .csv: print(table.csv)
        case .json: print(try canonicalJSON(table, pretty: true))
        }
        if let plot {
            let svg = boxPlotSVG(title: "\(experiment): test RMSE over \(results.spec.repeats) repeats",
                                 samples: results.configurations.map { ($0.label, $0.scores) })
            try writeOutputFile(svg, to: plot, option: "--plot", archive: archiveOptions.archive)
            FileHandle.standardError.write(Data("box plot written to \(plot)\n".utf8))
        }
    }
}
