import Dispatch
import Foundation
import Synchronization

/// Ctrl-C (SIGINT), SIGTERM and SIGHUP (a closed terminal) as a flag: the first one asks running experiments to stop starting runs (runs in
/// flight finish and are archived); a second one exits at once.
final class Interruption: Sendable {
    static let shared = Interruption()
    private let requested = Atomic<Bool>(false)
    private let sources = Mutex<[DispatchSourceSignal]>([])

    var isRequested: Bool { requested.load(ordering: .relaxed) }

    /// Starts listening for SIGINT, SIGTERM and SIGHUP.
    func install() {
        sources.withLock { sources in
            guard sources.isEmpty else { return }
            for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
                signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
                source.setEventHandler { [self] in
                    if requested.exchange(true, ordering: .relaxed) { exit(130) }
                    FileHandle.standardError.write(Data(
                        "\ninterrupted: finishing the runs in flight; press Ctrl-C again to quit at once\n".utf8))
                }
                source.resume()
                sources.append(source)
            }
        }
    }
}
