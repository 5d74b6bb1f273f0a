import Dispatch
import Foundation
import Synchronization

/// Ctrl-C (SIGINT), SIGTERM and SIGHUP (a closed terminal) as flags. The first signal asks running experiments to
/// start no new run (`isRequested`): the runs in flight may finish and be archived, for at most `gracePeriod`; then,
/// or at a second signal, they are abandoned (`isAbandoning`: the trainer stops between two epochs, and the runs are
/// marked `interrupted`, to be redone by the next `run`). A third signal exits at once.
final class Interruption: Sendable {
    static let shared = Interruption()
    /// How long the runs in flight may go on after the first signal.
    static let gracePeriod: TimeInterval = 10

    private let signals = Atomic<Int>(0)
    private let abandoning = Atomic<Bool>(false)
    private let sources = Mutex<[DispatchSourceSignal]>([])

    var isRequested: Bool { signals.load(ordering: .relaxed) > 0 }
    var isAbandoning: Bool { abandoning.load(ordering: .relaxed) }

    /// Starts listening for SIGINT, SIGTERM and SIGHUP.
    func install() {
        sources.withLock { sources in
            guard sources.isEmpty else { return }
            for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
                signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
                // Signals that arrive before the handler runs are coalesced; `data` counts them.
                source.setEventHandler { [self] in received(max(1, Int(source.data))) }
                source.resume()
                sources.append(source)
            }
        }
    }

    private func received(_ delivered: Int) {
        let count = signals.add(delivered, ordering: .relaxed).newValue
        if count >= 3 { exit(130) }
        if count >= 2 { return abandon() }
        Self.say("interrupted: finishing the runs in flight (for at most \(Int(Self.gracePeriod)) s); press Ctrl-C "
                 + "again to stop them now")
        DispatchQueue.global().asyncAfter(deadline: .now() + Self.gracePeriod) { [self] in abandon() }
    }

    private func abandon() {
        guard !abandoning.exchange(true, ordering: .relaxed) else { return }
        Self.say("stopping the runs in flight: they are marked interrupted and redone by the next run; press Ctrl-C again "
                 + "to quit at once")
    }

    private static func say(_ line: String) {
        FileHandle.standardError.write(Data("\n\(line)\n".utf8))
    }
}
