import Foundation
import Synchronization
import TimeSeries

/// Everything the commands print goes to standard output through here, with write(2) and every write checked:
/// output cut short (a full disk, a failing device) makes the command fail with the reason, instead of exiting 0
/// with a truncated table (Swift's own `print` ignores such errors). Buffered when standard output is not a
/// terminal; a terminal gets each line at once.
final class CheckedOutput: Sendable {
    static let shared = CheckedOutput()

    private struct State {
        var buffer: [UInt8] = []
        /// The errno of the first failed write.
        var failure: Int32?
    }
    private let state = Mutex(State())
    private let interactive = isatty(STDOUT_FILENO) == 1

    func write(_ text: String) {
        state.withLock { state in
            state.buffer += Array(text.utf8)
            if interactive || state.buffer.count >= 1 << 16 { Self.drain(&state) }
        }
    }

    /// Writes what is buffered; returns the system's reason when some output could not be written.
    func flush() -> String? {
        state.withLock { state in
            Self.drain(&state)
            return state.failure.map(systemErrorMessage)
        }
    }

    private static func drain(_ state: inout State) {
        defer { state.buffer.removeAll(keepingCapacity: true) }
        guard state.failure == nil else { return }
        var written = 0
        while written < state.buffer.count {
            let count = state.buffer.withUnsafeBytes { Foundation.write(STDOUT_FILENO, $0.baseAddress! + written, $0.count - written) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                state.failure = errno == 0 ? EIO : errno
                return
            }
            written += count
        }
    }
}

/// `print` for the commands: through `CheckedOutput`, so a failed write is noticed.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    CheckedOutput.shared.write(items.map { "\($0)" }.joined(separator: separator) + terminator)
}
