import ArgumentParser
import Analysis
import Experiment
import Foundation
import TimeSeries

/// `lstmlab run PRESET`: trains every run of a preset (or of an ad-hoc configuration) and summarises the scores.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Train an experiment: a preset, or one ad-hoc configuration given by --place/--l1/--l2.",
        discussion: "Presets: \(Preset.allCases.map(\.rawValue).joined(separator: ", ")) (see `lstmlab presets`).")

    @Argument(help: "The preset to run; omit it to run the configuration given by --place/--l1/--l2.")
    var preset: String?

    @Option(name: .long, help: "The experiment's name (default: <preset>-<profile>, or custom-<profile>).")
    var name: String?

    @OptionGroup var training: TrainingOptions
    @OptionGroup var penalties: PenaltyOptions
    @OptionGroup var dataOptions: DataOptions

    @Flag(name: .long, help: "Print only the per-configuration summaries, not each run's score.")
    var quiet = false

    func run() throws {
        let spec = try experimentSpec()
        try spec.validate()
        let series = try dataOptions.loadSeries()
        let trainer = try Trainer(series: series, training: spec.training)
        let tasks = spec.runs
        let runner = Runner(trainer: trainer, jobs: try training.jobCount())
        let start = Date()
        let quiet = self.quiet
        let results = try runner.run(tasks, onFinished: { _, result in
            if !quiet { print(scoreLine(result)) }
        })
        let elapsed = Date().timeIntervalSince(start)
        print("")
        print("Experiment \(spec.name): \(tasks.count) runs of \(spec.training.epochs) epochs in "
              + String(format: "%.2f s", elapsed))
        printSummaries(spec: spec, results: results.compactMap { $0 })
    }

    func experimentSpec() throws -> ExperimentSpec {
        let settings = training.training
        if let preset {
            guard penalties.isEmpty else {
                throw ExperimentError.invalidValue(name: "--place/--l1/--l2", value: "with preset \(preset)",
                                                   allowed: "either a preset or an ad-hoc configuration")
            }
            return try Preset.named(preset).experiment(name: name, seed: training.seed, repeats: training.repeats,
                                                       training: settings)
        }
        return ExperimentSpec(name: name ?? "custom-\(settings.profile)", preset: "custom", seed: training.seed,
                              repeats: training.repeats, training: settings,
                              configurations: [try penalties.configuration()])
    }
}

/// One line per run: configuration, repeat, seed and its score (or why it failed).
func scoreLine(_ result: RunResult) -> String {
    let task = result.task
    let head = "\(task.configuration.label)  repeat \(task.repeatIndex + 1)  seed \(task.runSeed)"
    switch result.outcome {
    case .finished:
        return "\(head)  test RMSE \(String(format: "%.3f", result.finalTestRMSE ?? .nan))"
    case .failed(_, let reason):
        return "\(head)  FAILED: \(reason)"
    }
}

/// Per configuration, the pandas `describe()` of its finished runs' test RMSE.
func printSummaries(spec: ExperimentSpec, results: [RunResult]) {
    var columns: [(name: String, description: Description)] = []
    for configuration in spec.configurations {
        let scores = results.filter { $0.task.configuration.label == configuration.label }.compactMap(\.finalTestRMSE)
        let failed = results.filter { $0.task.configuration.label == configuration.label && $0.finalTestRMSE == nil }
        if !failed.isEmpty { print("\(configuration.label): \(failed.count) failed run(s) not scored") }
        if !scores.isEmpty { columns.append((configuration.label, Description(scores))) }
    }
    // pandas wraps wide frames; print a few configurations per block so every table fits a terminal.
    let perBlock = 4
    for start in stride(from: 0, to: columns.count, by: perBlock) {
        print("")
        print(describeTable(Array(columns[start..<min(start + perBlock, columns.count)])))
    }
}
