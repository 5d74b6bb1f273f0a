import Analysis
import ArgumentParser
import Lab

/// `lstmlab show RUN`: everything the archive knows about one run.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one run: configuration, seed, provenance, scores, curve summary, checkpoint and the command that recreates it.")

    @Argument(help: "The run id (see `lstmlab runs`).")
    var runID: String

    @OptionGroup var archiveOptions: ArchiveOptions

    func run() throws {
        let details = try archiveOptions.openExisting().runDetails(id: try parseRunID(runID))
        let record = details.record, experiment = details.experiment
        let training = details.configuration.training
        print("run \(record.id ?? 0)  \(experiment.name)  \(record.configurationLabel)  repeat \(record.repeatIndex + 1)")
        print("status      \(record.status.rawValue)  (started \(record.startedAt), ended \(record.endedAt ?? "-"))")
        if let error = record.error { print("error       \(error)") }
        print("seed        \(record.runSeed)  (experiment seed \(experiment.seed))")
        print("settings    profile \(training.profile.name), units \(training.units), batch \(training.batchSize), "
              + "lag \(training.lag), test size \(training.testSize), epochs \(training.epochs), lr \(training.learningRate)"
                  + (training.familySettings.isEmpty ? "" : ", " + training.familySettings.label))
        let penalties = details.configuration.configuration.regularization
        print("penalties   kernel \(penalties.kernel.label), recurrent \(penalties.recurrentKernel.label), "
              + "bias \(penalties.bias.label), activity \(penalties.activity.label)")
        print("trained by  lstmlab \(record.productVersion) (commit \(record.gitCommit)) on \(record.host), engine \(record.engine)")
        print("experiment  created by lstmlab \(experiment.productVersion) (commit \(experiment.gitCommit)), host \(experiment.host), "
              + "\(experiment.os), \(experiment.cpuModel), Swift \(experiment.swiftVersion)")
        if let train = record.finalTrainRMSE, let test = record.finalTestRMSE {
            print("final RMSE  train \(format3(train)), test \(format3(test))")
        }
        if let best = details.bestEpoch, let last = details.curve.last {
            print("curve       \(details.curve.count) epochs; lowest test RMSE \(format3(best.testRMSE)) at epoch "
                  + "\(best.epoch); final loss \(fixed(last.loss, decimals: 6))")
        }
        if let (path, state) = details.checkpoint { print("checkpoint  \(path)  (\(state))") }
        print("recreate    \(details.recreateCommand)")
        if let file = experiment.experimentFile {
            print("experiment file (`lstmlab presets show --experiment \(experiment.name)` writes one that re-runs it):")
            print(file.split(separator: "\n", omittingEmptySubsequences: false).map { "    \($0)" }.joined(separator: "\n"))
        }
    }
}
