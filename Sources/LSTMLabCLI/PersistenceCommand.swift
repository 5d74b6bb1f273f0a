import Analysis
import ArgumentParser
import Experiment
import TimeSeries

/// `lstmlab persistence`: the RMSE of forecasting each test month by the month before it.
struct PersistenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "persistence",
        abstract: "Print the RMSE of the persistence forecast (next month = this month) over the test months.")

    @OptionGroup var dataOptions: DataOptions

    @Option(name: .customLong("test-size"), help: "Number of final observations forecast.")
    var testSize = ExperimentDefaults.testSize

    func run() throws {
        try checkSetting("test size", testSize, SettingLimits.testSize)
        let series = try dataOptions.loadSeries()
        let (forecasts, observed) = try persistenceForecast(series, testSize: testSize)
        let rmse = rootMeanSquaredError(forecasts, observed)
        print("Persistence RMSE over the last \(testSize) observations: \(format3(rmse))")
    }
}
