import Analysis
import ArgumentParser
import Experiment

/// `lstmlab verify-keras FILE.json`: train from a Keras dump's initial weights and compare with Keras.
struct VerifyKerasCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-keras",
        abstract: "Check this implementation against a Keras reference dump (see scripts/keras_reference.py).",
        discussion: "Exits non-zero when any weight, epoch loss or scaled prediction deviates by more than the tolerance, or "
            + "any test forecast or the test RMSE (in sales units) by more than the tolerance times the largest forecast "
            + "(at least 1). A dump written in another float type than float64 is refused.")

    @Argument(help: ArgumentHelp("A reference dump written by scripts/keras_reference.py.", valueName: "file.json"))
    var reference: String

    @Option(name: .long, help: "Largest allowed absolute deviation.")
    var tolerance = 1e-8

    func run() throws {
        guard tolerance >= 0, tolerance <= 1 else {
            throw ExperimentError.outOfRange(name: "--tolerance", value: "\(tolerance)", range: "from 0 to 1")
        }
        let dump = try KerasReference.load(path: reference)
        let comparison = try compareWithKeras(dump)
        let settings = try dump.networkSettings()
        print("Reference: Keras \(dump.keras_version ?? "?"), \(settings.recurrentActivation.rawValue), lag \(dump.rowLag)\(dump.lag_as == "timesteps" ? " as timesteps" : ""), "
              + "\(settings.shape.units) units, batch \(settings.batchSize), ε \(settings.adam.epsilon), \(dump.epochs.count) epochs")
        for (index, deviation) in comparison.weightDeviations.enumerated() {
            print("epoch \(index + 1): max |Δweight| \(format(deviation))  |Δloss| \(format(comparison.lossDeviations[index]))")
        }
        print("test predictions (scaled): max |Δ| \(format(comparison.predictionDeviation))")
        if let forecast = comparison.forecastDeviation {
            print("test forecasts (sales): max |Δ| \(format(forecast))")
        } else if dump.test_forecasts != nil {
            print("test forecasts (sales): not compared (the dump's data is not the shipped series framed with its settings)")
        }
        if let rmse = comparison.rmseDeviation { print("test RMSE: |Δ| \(format(rmse))") }
        // Sales are hundreds where scaled values are about 1: their tolerance scales with the largest forecast.
        let salesTolerance = tolerance * max(1, (dump.test_forecasts ?? []).map(abs).max() ?? 1)
        let sales = comparison.largestSalesDeviation
        let salesNames = [comparison.forecastDeviation == nil ? nil : "forecasts", comparison.rmseDeviation == nil ? nil : "test RMSE"]
            .compactMap { $0 }.joined(separator: ", ")
        let largest = comparison.largestDeviation
        guard largest <= tolerance else {
            throw CommandFailure(message: "largest deviation \(format(largest)) of the weights, losses and predictions exceeds the "
                                 + "tolerance \(format(tolerance))")
        }
        if let sales, !(sales <= salesTolerance) {
            throw CommandFailure(message: "largest deviation \(format(sales)) of the \(salesNames) exceeds their tolerance "
                                 + "\(format(salesTolerance)) (\(format(tolerance)) × the largest forecast)")
        }
        print("OK: largest deviation \(format(largest)) over weights, losses, predictions ≤ \(format(tolerance))"
              + (sales.map { "; \(format($0)) over \(salesNames) (sales) ≤ \(format(salesTolerance))" } ?? ""))
    }

    private func format(_ value: Double) -> String { scientific(value) }
}
