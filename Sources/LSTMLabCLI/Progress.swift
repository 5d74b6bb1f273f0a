import Analysis
import Foundation
import Synchronization

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
            CheckedOutput.shared.write(line)
        } else if shouldPrint {
            print("progress: \(done)/\(total) runs, \(formatDuration(elapsed)) elapsed, ETA \(eta)")
        }
    }
}

/// Says on standard error that an experiment's analyses cover only its finished runs, when runs are missing.
func warnIfIncomplete(_ results: ExperimentResults) {
    guard let note = results.incompleteness else { return }
    FileHandle.standardError.write(Data("note: \(note)\n".utf8))
}

/// Progress within long runs, on standard error: nothing for the first 5 s, then a line every 5 s with the share of
/// run-epochs trained and an estimate of the time left.
final class EpochProgress: Sendable {
    private let total: Int
    private let runs: Int
    private let start = Date()
    private let state = Mutex((done: 0, lastLine: 0.0))

    init(runs: Int, epochs: Int) {
        self.runs = runs
        total = runs * epochs
    }

    func advance(by epochs: Int) {
        let elapsed = Date().timeIntervalSince(start)
        let (done, due) = state.withLock { state -> (Int, Bool) in
            state.done += epochs
            let due = elapsed >= 5 && elapsed - state.lastLine >= 5
            if due { state.lastLine = elapsed }
            return (state.done, due)
        }
        guard due, total > 0 else { return }
        let fraction = min(1, Double(done) / Double(total))
        let remaining = fraction > 0 ? elapsed / fraction * (1 - fraction) : .nan
        let line = "progress: \(Int((fraction * 100).rounded(.down)))% of \(runs) run(s) × \(total / max(1, runs)) epochs trained, "
            + "\(formatDuration(elapsed)) elapsed, about \(remaining.isFinite ? formatDuration(remaining) : "--") left\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
