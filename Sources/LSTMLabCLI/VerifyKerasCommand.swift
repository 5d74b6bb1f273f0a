import Analysis
import ArgumentParser
import Experiment

/// `lstmlab verify-keras FILE.json`: train from a Keras dump's initial weights and compare with Keras.
struct VerifyKerasCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-keras",
        abstract: "Check this implementation against a Keras reference dump (see scripts/keras_reference.py).",
        discussion: "Exits non-zero when any weight, epoch loss, prediction, test forecast or the test RMSE deviates by more "
            + "than the tolerance (absolute, in the dump's units: scaled for weights, losses and predictions, sales for "
            + "forecasts and the RMSE). A dump written in another float type than float64 is refused.")

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
        print("Reference: Keras \(dump.keras_version ?? "?"), \(settings.recurrentActivation.rawValue), lag \(settings.shape.lag), "
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
        let compared = "weights, losses, predictions" + (comparison.forecastDeviation == nil ? "" : ", forecasts")
            + (comparison.rmseDeviation == nil ? "" : ", test RMSE")
        let largest = comparison.largestDeviation
        guard largest <= tolerance else {
            throw CommandFailure(message: "largest deviation \(format(largest)) (over \(compared)) exceeds the tolerance \(format(tolerance))")
        }
        print("OK: largest deviation \(format(largest)) over \(compared) ≤ \(format(tolerance))")
    }

    private func format(_ value: Double) -> String { scientific(value) }
}
