import Analysis
import ArgumentParser
import Experiment
import Foundation
import Lab
import NeuralNetwork
import Synchronization
import TimeSeries

/// `lstmlab study`: the whole study and its follow-ups, in both Keras profiles, then every notebook.
struct StudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study",
        abstract: "Run the study (baseline, bias, input, recurrent), its follow-ups (input-grid, combined, "
            + "activity, dynamics) and its family of sister studies in both Keras profiles into the archive, then write "
            + "every notebook.",
        discussion: "The family's studies (\(Preset.family.map(\.rawValue).joined(separator: ", "))) set their own "
            + "settings and repeats, as their listings did; --repeats, when given, applies to them too, and --epochs N "
            + "scales each one's epoch counts in proportion so that its longest runs train N epochs. Each count stays at "
            + "least 1 and above the next shorter, so below a study's number of distinct counts its longest runs train "
            + "more than N (the epochs study's 500 to 6000 become 1, 2, 4, 8, 12 with --epochs 12, and 1, 2, 3, 4, 5 with "
            + "--epochs 3). Their notebooks then say that the runs are not the listing's. "
            + "Finished runs already in the archive are skipped, so an interrupted study resumes where it stopped.")

    @OptionGroup var scale: ScaleOptions
    @OptionGroup var execution: ExecutionOptions

    @Option(name: .long, help: "Profiles to run, comma-separated.")
    var profiles = KerasProfile.allCases.map(\.name).joined(separator: ",")

    @Option(name: .long, help: "Presets to run, comma-separated (default: all).")
    var presets: String?

    @Flag(name: .long, help: "Run only the family's sister studies (the presets \(Preset.family.map(\.rawValue).joined(separator: ", "))).")
    var family = false

    @Option(name: .long, help: "The notebooks folder.")
    var notebooks = "notebooks-md"

    @OptionGroup var archiveOptions: ArchiveOptions

    func run() throws {
        var profileList: [KerasProfile] = []
        for name in profiles.split(separator: ",") {
            guard let profile = KerasProfile(rawValue: String(name)) else { throw ExperimentError.unknownProfile(String(name)) }
            if !profileList.contains(profile) { profileList.append(profile) }
        }
        if family, presets != nil {
            throw CommandFailure(message: "--family and --presets cannot be given together: --family runs the presets "
                                 + Preset.family.map(\.rawValue).joined(separator: ","))
        }
        let presetNames = family ? Preset.family.map(\.rawValue)
            : (presets ?? Preset.allCases.map(\.rawValue).joined(separator: ",")).split(separator: ",").map(String.init)
        var presetList: [Preset] = []
        for name in presetNames {
            let preset = try Preset.named(String(name))
            if !presetList.contains(preset) { presetList.append(preset) }
        }
        guard !profileList.isEmpty, !presetList.isEmpty else {
            throw CommandFailure(message: "--profiles and --presets must each name at least one")
        }
        let values = scale.values
        var study = StudyPlan(profiles: profileList, presets: presetList, seed: values.resolvedSeed,
                              repeats: values.resolvedRepeats, epochs: values.training.epochs)
        if let epochs = scale.epochs { try checkSetting("epochs", epochs, SettingLimits.epochs) }
        study.familyEpochs = scale.epochs
        study.familyRepeats = scale.repeats
        let jobCount = try execution.jobCount()
        let shard = try execution.parsedShard()
        let series = Series.shampooSales()
        // Every setting and the memory of each experiment are checked before anything is framed or archived.
        for spec in study.specs {
            try spec.validate()
            try spec.training.checkMemory(seriesLength: series.values.count, runCount: spec.configurations.count * spec.repeats,
                                          jobs: jobCount, snapshotInterval: study.snapshotInterval)
        }
        if shard == nil {
            try checkWritableDirectory(notebooks, option: "--notebooks", archive: archiveOptions.archive)
        }
        let plans = try study.experimentPlans(series: series)
        let lab = try archiveOptions.openOrCreate()
        // Made once the archive opened, so that an archive refused leaves no folder behind.
        if shard == nil {
            try checkWritableDirectory(notebooks, option: "--notebooks", create: true, archive: archiveOptions.archive)
        }
        Interruption.shared.install()
        let progress = Progress(total: plans.reduce(0) { $0 + (shard?.runs(of: $1.spec).count ?? $1.spec.runs.count) })
        let outcome = try lab.runStudy(
            plans, profiles: profileList, jobs: jobCount, notebooksDirectory: notebooks, shard: shard,
            takingOver: execution.takeOver,
            shouldStop: { Interruption.shared.isRequested }, shouldAbandon: { Interruption.shared.isAbandoning },
            onExperiment: { progress.startExperiment($0) }, onRunsDone: { progress.advance(by: $0) })
        progress.finish()
        switch outcome {
        case .completed(let count, let index):
            print("notebooks written: \(count) experiments and \(index)")
        case .shardCompleted(let shard):
            print("shard \(shard) of every experiment archived in \(archiveOptions.archive); `lstmlab merge` joins the "
                  + "shards, and `lstmlab study` over the merged archive writes the notebooks")
        case .incomplete(let experiment, let reason):
            throw CommandFailure(message: "\(reason) in \(experiment): run `lstmlab study` again to resume")
        case .heldElsewhere(let experiment, let runs):
            let message = "incomplete: \(runs) run(s) of \(experiment) are being trained by another process; "
                + "run `lstmlab study` again once it has finished\n"
            FileHandle.standardError.write(Data(message.utf8))
            throw ExitCode(RunCommand.incompleteStatus)
        }
    }
}
