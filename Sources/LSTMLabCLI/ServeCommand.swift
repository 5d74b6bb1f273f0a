import ArgumentParser
import Foundation
import Lab
import Server
import Synchronization
import TimeSeries

/// `lstmlab serve`: a local web view of the archive, read-only.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Browse the archive in a web browser: experiments, curves, comparisons, runs (read-only).",
        discussion: "Opens the archive read-only and serves HTML pages and a JSON API (see the README). Listens on "
            + "127.0.0.1 only unless --host says otherwise; Ctrl-C stops it. Charts need Debian's libjs-dygraphs.")

    @Option(name: .long, help: ArgumentHelp("The address to listen on; 127.0.0.1 keeps the archive to this machine.",
                                            valueName: "address"))
    var host = "127.0.0.1"

    @Option(name: .long, help: ArgumentHelp("The TCP port, 1–65535, or 0 for any free port (the address is printed).",
                                            valueName: "port"))
    var port = 8080

    @OptionGroup var archiveOptions: ArchiveOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535, got \(port)") }
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace || $0 == "/" }) else {
            throw ValidationError("--host must be an IP address or host name, got '\(oneLine(host))'")
        }
    }

    func run() throws {
        let lab = try archiveOptions.openExisting()
        let server = try ArchiveServer(lab: lab)
        if !ArchiveServer.isLoopback(host) {
            FileHandle.standardError.write(Data(("warning: listening on \(host), not only on this machine's loopback: anyone who "
                + "can reach it can read the archive\n").utf8))
        }
        if !server.hasDygraphs { FileHandle.standardError.write(Data("warning: \(ArchiveServer.dygraphsMissingMessage)\n".utf8)) }
        let (host, archive) = (self.host, lab.archivePath)
        let application = server.application(host: host, port: port) { bound in
            let shown = host.contains(":") ? "[\(host)]" : host
            FileHandle.standardOutput.write(Data(
                "lstmlab serve: http://\(shown):\(bound)/ (archive \(archive), read-only; Ctrl-C stops)\n".utf8))
        }
        // Ctrl-C or SIGTERM ends the process at once: the server only reads, so there is nothing to flush or close,
        // and no open connection can hold the shutdown back.
        let signalSources = [SIGINT, SIGTERM].map { (number: Int32) -> any DispatchSourceSignal in
            _ = Foundation.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { Foundation.exit(0) }
            source.resume()
            return source
        }
        defer { signalSources.forEach { $0.cancel() } }
        let failure = Mutex<(any Error)?>(nil)
        let finished = DispatchSemaphore(value: 0)
        Task {
            do { try await application.runService(gracefulShutdownSignals: []) } catch { failure.withLock { $0 = error } }
            finished.signal()
        }
        finished.wait()
        if let error = failure.withLock({ $0 }) {
            let text = String(describing: error)
            let reason = text.contains("Address already in use")
                ? "the port is in use (choose another with --port, or --port 0 for any free one)"
                : text.contains("Permission denied") ? "permission denied (ports below 1024 need privileges)"
                : text.contains("Cannot assign requested address") || text.contains("not known")
                ? "no such address on this machine" : oneLineMessage(for: error)
            throw CommandFailure(message: "cannot serve on \(host):\(port): \(reason)")
        }
    }
}
