import Analysis
import ArgumentParser
import Experiment
import Foundation
import Lab
import Network
import Synchronization
import TimeSeries

/// `lstmlab study`: the whole study and its follow-ups, in both Keras profiles, then every notebook.
struct StudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study",
        abstract: "Run the study (baseline, bias, input, recurrent) and its follow-ups (input-grid, combined, "
            + "activity, dynamics) in both Keras profiles into the archive, then write every notebook.",
        discussion: "Finished runs already in the archive are skipped, so an interrupted study resumes where it stopped.")

    @OptionGroup var scale: ScaleOptions

    @Option(name: .long, help: "Profiles to run, comma-separated.")
    var profiles = KerasProfile.allCases.map(\.name).joined(separator: ",")

    @Option(name: .long, help: "Presets to run, comma-separated (default: all).")
    var presets = Preset.allCases.map(\.rawValue).joined(separator: ",")

    @Option(name: .long, help: "The notebooks folder.")
    var notebooks = "notebooks-md"

    @OptionGroup var archiveOptions: ArchiveOptions

    func run() throws {
        let profileList = try profiles.split(separator: ",").map { name in
            guard let profile = KerasProfile(rawValue: String(name)) else {
                throw ExperimentError.unknownProfile(String(name))
            }
            return profile
        }
        let presetList = try presets.split(separator: ",").map { try Preset.named(String($0)) }
        guard !profileList.isEmpty, !presetList.isEmpty else {
            throw CommandFailure(message: "--profiles and --presets must each name at least one")
        }
        let study = StudyPlan(profiles: profileList, presets: presetList, seed: scale.seed, repeats: scale.repeats,
                              epochs: scale.epochs)
        let jobCount = try scale.jobCount()
        let series = Series.shampooSales()
        // Every setting and the memory of each experiment are checked before anything is framed or archived.
        for spec in study.specs {
            try spec.validate()
            try spec.training.checkMemory(seriesLength: series.values.count, runCount: spec.configurations.count * spec.repeats,
                                          jobs: jobCount, snapshotInterval: study.snapshotInterval)
        }
        try checkWritableDirectory(notebooks, option: "--notebooks", create: true)
        let plans = try study.experimentPlans(series: series)
        let lab = try archiveOptions.openOrCreate()
        Interruption.shared.install()
        let progress = Progress(total: plans.reduce(0) { $0 + $1.spec.runs.count })
        let outcome = try lab.runStudy(
            plans, profiles: profileList, jobs: jobCount, notebooksDirectory: notebooks,
            shouldStop: { Interruption.shared.isRequested },
            onExperiment: { progress.startExperiment($0) }, onRunsDone: { progress.advance(by: $0) })
        progress.finish()
        switch outcome {
        case .completed(let count, let index):
            print("notebooks written: \(count) experiments and \(index)")
        case .incomplete(let experiment, let reason):
            throw CommandFailure(message: "\(reason) in \(experiment): run `lstmlab study` again to resume")
        }
    }
}

/// Progress of a long job: a bar redrawn in place on a terminal, plain lines otherwise.
final class Progress: Sendable {
    private struct State { var done = 0; var experiment = ""; var lastPlainLine = 0.0 }
    private let total: Int
    private let start = Date()
    private let interactive = isatty(STDOUT_FILENO) == 1
    private let state = Mutex(State())

    init(total: Int) { self.total = total }

    func startExperiment(_ name: String) {
        state.withLock { $0.experiment = name }
        if !interactive { print("experiment \(name)") }
        render(force: true)
    }

    func advance(by count: Int = 1) {
        guard count > 0 else { return }
        state.withLock { $0.done += count }
        render(force: false)
    }

    func finish() {
        render(force: true)
        if interactive { print("") }
    }

    private func render(force: Bool) {
        let elapsed = Date().timeIntervalSince(start)
        let (done, experiment, shouldPrint) = state.withLock { state -> (Int, String, Bool) in
            let due = force || elapsed - state.lastPlainLine >= 5
            if due && !interactive { state.lastPlainLine = elapsed }
            return (state.done, state.experiment, due)
        }
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        let remaining = done > 0 ? elapsed / Double(done) * Double(total - done) : .nan
        let eta = remaining.isFinite ? formatDuration(remaining) : "--"
        if interactive {
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            let line = "\r\(bar) \(done)/\(total) runs  \(formatDuration(elapsed)) elapsed  ETA \(eta)  \(experiment)   "
            FileHandle.standardOutput.write(Data(line.utf8))
        } else if shouldPrint {
            print("progress: \(done)/\(total) runs, \(formatDuration(elapsed)) elapsed, ETA \(eta)")
        }
    }
}
