import Analysis
import Archive
import ArgumentParser
import Experiment
import Foundation
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

    @Option(name: .long, help: "Repeats of each configuration.")
    var repeats = 30

    @Option(name: .long, help: "Epochs of each run.")
    var epochs = 1000

    @Option(name: .long, help: "The experiment seed of every experiment.")
    var seed: UInt64 = 2017

    @Option(name: .long, help: "Profiles to run, comma-separated.")
    var profiles = "keras2,keras3"

    @Option(name: .long, help: "Presets to run, comma-separated (default: all).")
    var presets = Preset.allCases.map(\.rawValue).joined(separator: ",")

    @Option(name: .long, help: "Parallel training jobs (default: all cores); results do not depend on it.")
    var jobs: Int?

    @Option(name: .long, help: "The notebooks folder.")
    var notebooks = "notebooks-md"

    @OptionGroup var archiveOptions: ArchiveOptions

    func run() throws {
        let profileNames = profiles.split(separator: ",").map(String.init)
        let presetList = try presets.split(separator: ",").map { try Preset.named(String($0)) }
        let specs = profileNames.flatMap { profile in
            presetList.map { $0.experiment(seed: seed, repeats: repeats,
                                           training: TrainingSettings(profile: profile, epochs: epochs)) }
        }
        for spec in specs { try spec.validate() }
        let jobCount = try resolveJobCount(jobs)
        let store = try archiveOptions.openOrCreate()
        let series = Series.shampooSales()
        Interruption.shared.install()
        let total = specs.reduce(0) { $0 + $1.runs.count }
        let progress = Progress(total: total)
        for spec in specs {
            progress.startExperiment(spec.name)
            let outcome = try runArchivedExperiment(
                spec, series: series, store: store, jobs: jobCount, snapshotInterval: 100,
                shouldStop: { Interruption.shared.isRequested },
                onRunArchived: { _, _ in progress.advance() })
            progress.advance(by: outcome.skipped)
            if outcome.interrupted {
                progress.finish()
                throw CommandFailure(message: "interrupted: run `lstmlab study` again to resume")
            }
        }
        progress.finish()
        let writer = NotebookWriter(store: store, directory: notebooks)
        for spec in specs { try writer.writeNotebook(experiment: spec.name) }
        let index = try writer.writeStudyIndex(profiles: profileNames, experiments: specs.map(\.name))
        print("notebooks written: \(specs.count) experiments and \(index)")
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

func formatDuration(_ seconds: Double) -> String {
    let whole = Int(seconds.rounded())
    return whole >= 60 ? "\(whole / 60)m\(String(format: "%02d", whole % 60))s" : "\(whole)s"
}
