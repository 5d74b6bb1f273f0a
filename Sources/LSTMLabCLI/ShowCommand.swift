import Analysis
import Archive
import ArgumentParser
import Foundation

/// `lstmlab show RUN`: everything the archive knows about one run.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one run: configuration, seed, provenance, scores, curve summary and checkpoint.")

    @Argument(help: "The run id (see `lstmlab runs`).")
    var runID: String

    @OptionGroup var archiveOptions: ArchiveOptions

    func run() throws {
        let store = try archiveOptions.openExisting()
        let record = try store.run(id: try parseRunID(runID))
        let experiment = try store.experiment(id: record.experimentID)
        let configuration = try record.configuration()
        let training = configuration.training
        print("run \(record.id!)  \(experiment.name)  \(record.configurationLabel)  repeat \(record.repeatIndex + 1)")
        print("status      \(record.status.rawValue)  (started \(record.startedAt), ended \(record.endedAt ?? "-"))")
        if let error = record.error { print("error       \(error)") }
        print("seed        \(record.runSeed)  (experiment seed \(experiment.seed))")
        print("settings    profile \(training.profile), units \(training.units), batch \(training.batchSize), "
              + "lag \(training.lag), test size \(training.testSize), epochs \(training.epochs), lr \(training.learningRate)")
        let penalties = configuration.configuration.regularization
        print("penalties   kernel \(penalties.kernel), recurrent \(penalties.recurrentKernel), bias \(penalties.bias), "
              + "activity \(penalties.activity)")
        print("provenance  lstmlab \(experiment.productVersion) (commit \(experiment.gitCommit)), host \(experiment.host), "
              + "\(experiment.os), \(experiment.cpuModel), Swift \(experiment.swiftVersion)")
        if let train = record.finalTrainRMSE, let test = record.finalTestRMSE {
            print("final RMSE  train \(String(format: "%.3f", train)), test \(String(format: "%.3f", test))")
        }
        let curve = try store.curve(runID: record.id!)
        if let best = curve.min(by: { $0.testRMSE < $1.testRMSE }), let last = curve.last {
            print("curve       \(curve.count) epochs; lowest test RMSE \(String(format: "%.3f", best.testRMSE)) at epoch "
                  + "\(best.epoch); final loss \(String(format: "%.6f", last.loss))")
        }
        if let stored = record.checkpointPath {
            let path = store.resolveCheckpointPath(stored)
            let state: String
            if !FileManager.default.fileExists(atPath: path) {
                state = "MISSING"
            } else {
                state = (try? sha256Hex(ofFileAt: path)) == record.checkpointSHA256 ? "SHA-256 matches" : "SHA-256 MISMATCH"
            }
            print("checkpoint  \(path)  (\(state))")
        }
    }
}
