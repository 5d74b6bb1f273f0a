import Analysis
import Archive
import ArgumentParser
import Foundation

/// `lstmlab forecast RUN`: forecast from a run's checkpoint.
struct ForecastCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forecast",
        abstract: "Forecast the test months and the month after the series from a run's checkpoint.")

    @Argument(help: "The run id (see `lstmlab runs`).")
    var runID: String

    @Option(name: .long, help: "Use the weight snapshot of this epoch instead of the final weights.")
    var epoch: Int?

    @OptionGroup var dataOptions: DataOptions

    @Option(name: .long, help: "Output format: table, csv or json.")
    var format: OutputFormat = .table

    @OptionGroup var archiveOptions: ArchiveOptions

    func run() throws {
        let store = try archiveOptions.openExisting()
        let record = try store.run(id: try parseRunID(runID))
        let checkpoint = try loadVerifiedCheckpoint(of: record, in: store)
        let series = dataOptions.data == nil ? try store.experiment(id: record.experimentID).series()
            : try dataOptions.loadSeries()
        let forecast = try forecastFromCheckpoint(checkpoint, epoch: epoch, series: series)
        switch format {
        case .json:
            print(try stableJSON(forecast))
        case .csv:
            print("month,forecast,observed")
            for month in forecast.testMonths + [forecast.nextMonth] {
                print("\(month.month),\(month.forecast),\(month.observed.map { "\($0)" } ?? "")")
            }
        case .table:
            print("run \(forecast.runID), weights after epoch \(forecast.epoch)")
            print("month       forecast   observed      error")
            for month in forecast.testMonths {
                let observed = month.observed ?? .nan
                print(month.month.padding(toLength: 8, withPad: " ", startingAt: 0)
                      + String(format: "%11.3f%11.3f%11.3f", month.forecast, observed, month.forecast - observed))
            }
            print("test RMSE \(String(format: "%.3f", forecast.testRMSE))")
            print("next month forecast \(String(format: "%.3f", forecast.nextMonth.forecast))")
        }
    }
}
