import Analysis
import ArgumentParser
import Experiment
import Foundation
import Lab

/// `lstmlab forecast RUN`: forecast from a run's checkpoint.
struct ForecastCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forecast",
        abstract: "Forecast the test months and the month after the series from a run's checkpoint.")

    @Argument(help: "The run id (see `lstmlab runs`).")
    var runID: String

    @Option(name: .long, help: "Use the weight snapshot of this epoch instead of the final weights.")
    var epoch: Int?

    @OptionGroup var dataOptions: ForecastDataOptions

    @Option(name: .long, help: "Output format: table, csv or json.")
    var format: OutputFormat = .table

    @OptionGroup var archiveOptions: ArchiveOptions

    func run() throws {
        if let epoch { try checkSetting("--epoch", epoch, SettingLimits.epochs) }
        let lab = try archiveOptions.openExisting()
        let series = try dataOptions.loadSeries()
        let forecast = try lab.forecast(runID: try parseRunID(runID), epoch: epoch, series: series)
        let otherSeries = forecast.isRunSeries ? nil
            : "series \(forecast.series), not the series run \(forecast.runID) was trained on (\(forecast.runSeries))"
        if let otherSeries, format != .table { FileHandle.standardError.write(Data("note: forecasting \(otherSeries)\n".utf8)) }
        switch format {
        case .json:
            print(try canonicalJSON(forecast, pretty: true))
        case .csv:
            print("month,forecast,observed")
            for month in forecast.testMonths + [forecast.nextMonth] {
                print("\(month.month),\(month.forecast),\(month.observed.map { "\($0)" } ?? "")")
            }
        case .table:
            print("run \(forecast.runID), weights after epoch \(forecast.epoch), \(otherSeries ?? "series \(forecast.series)")")
            print("month       forecast   observed      error")
            for month in forecast.testMonths {
                let observed = month.observed ?? .nan
                print(month.month.padding(toLength: 8, withPad: " ", startingAt: 0)
                      + [month.forecast, observed, month.forecast - observed].map { rightAligned(format3($0), width: 11) }.joined())
            }
            print("test RMSE \(format3(forecast.testRMSE))")
            print("next month forecast \(format3(forecast.nextMonth.forecast))")
        }
    }
}
