import Experiment
import Foundation
@testable import Lab
import Synchronization
import Testing

/// `lstmlab serve` in a real headless Chromium (Debian's `chromium`): the binary as installed (`scripts/install.sh`),
/// run as `nobody` with the checkout and the toolchain hidden (`InstalledBinary`), serves a small fresh archive on a
/// free loopback port; the experiment and compare pages must draw their charts with the expected number of series and
/// log no console message. Screenshots go to `.build/e2e-artifacts/`. Needs `chromium` and `libjs-dygraphs`
/// (scripts/setup.sh installs both); without them the test fails saying so.
@Suite("lstmlab serve in headless Chromium", .serialized)
struct ServeEndToEndTests {
    static let artifacts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/e2e-artifacts")

    /// The browser, or nil.
    static var chromium: String? {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
        return folders.map { "\($0)/chromium" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test("The experiment and compare pages draw every series in Chromium, without a console message",
          .enabled(if: InstalledBinary.isAvailable, "needs root with unshare and setpriv (util-linux)"))
    func pagesInChromium() throws {
        guard let chromium = Self.chromium else {
            Issue.record("chromium is not installed: run scripts/setup.sh (it installs chromium and libjs-dygraphs)")
            return
        }
        guard FileManager.default.fileExists(atPath: "/usr/share/javascript/dygraphs/dygraph.min.js") else {
            Issue.record("libjs-dygraphs is not installed: run scripts/setup.sh (it installs chromium and libjs-dygraphs)")
            return
        }
        try FileManager.default.createDirectory(at: Self.artifacts, withIntermediateDirectories: true)
        // 4 configurations × 3 repeats × 100 epochs.
        let path = try Unprivileged.sharedFolder().appendingPathComponent("archive.sqlite").path
        let spec = Preset.input.experiment(seed: 3, repeats: 3, training: TrainingSettings(profile: .keras2, epochs: 100))
        _ = try Lab.writing(archive: path).run(try ExperimentPlan(spec: spec, series: .shampooSales(), snapshotInterval: 50), jobs: 2)
        let lab = try Lab.reading(archive: path)
        let experimentID = try lab.store.experiment(named: spec.name).id!
        let labels = spec.configurations.map(\.label)
        let runID = try lab.store.runs(experimentID: experimentID, status: .finished).last!.id!

        let server = try ServerProcess(command: try InstalledBinary.install().command(["serve", "--archive", path, "--port", "0"]))
        var stopped = false
        defer { if !stopped { _ = server.stop() } }
        let selection = labels.map { "c=" + "\(experimentID):\($0)".addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }
            .joined(separator: "&")
        let pages: [(name: String, path: String, charts: [String: Int])] = [
            ("experiment", "/experiments/\(experimentID)", ["chart-means": 8, "chart-runs": 3 * 2 + 2]),
            ("compare", "/compare?\(selection)&r=\(runID)", ["chart-compare": 4 * 2 + 2]),
            ("compare-every-run", "/compare?\(selection)&mode=runs&log=1&smooth=5&from=10&to=90", ["chart-compare": 4 * 3 * 2]),
            ("run", "/runs/\(runID)", ["chart-run": 2, "chart-forecast": 2]),
            ("experiments", "/", [:]),
        ]
        var timings: [String] = []
        for page in pages {
            let url = "http://127.0.0.1:\(server.port)\(page.path)"
            let dump = try Self.browse(chromium, url, ["--dump-dom"])
            let console = dump.stderr.split(separator: "\n").filter { $0.contains("INFO:CONSOLE") }
            #expect(console.isEmpty, "\(page.name): the browser logged \(console.joined(separator: " | "))")
            #expect(dump.status == 0, "\(page.name): chromium exited \(dump.status)")
            for (chart, series) in page.charts {
                let tag = try #require(Self.startTag(id: chart, in: dump.stdout), "\(page.name): no #\(chart) in the DOM")
                #expect(Self.attribute("data-series", in: tag) == String(series), "\(page.name) #\(chart): \(tag)")
                if let drawn = Self.attribute("data-drawn-ms", in: tag) { timings.append("\(page.name) #\(chart): drawn \(drawn) ms after navigation") }
            }
            if page.name == "experiments" {
                let table = try #require(Self.startTag(id: "experiments", in: dump.stdout))
                #expect(Self.attribute("data-rows", in: table) == "1", "the live table did not refresh: \(table)")
            }
            let shot = Self.artifacts.appendingPathComponent("\(page.name).png").path
            try? FileManager.default.removeItem(atPath: shot)
            let screenshot = try Self.browse(chromium, url, ["--screenshot=\(shot)", "--window-size=1400,1200"])
            #expect(screenshot.status == 0 && FileManager.default.fileExists(atPath: shot), "\(page.name): no screenshot")
        }
        try timings.joined(separator: "\n").write(to: Self.artifacts.appendingPathComponent("timings.txt"), atomically: true, encoding: .utf8)
        // SIGTERM (as Ctrl-C) ends it cleanly, whatever connections the browser left.
        stopped = true
        #expect(server.stop() == 0)
    }

    /// Runs Chromium headless on `url` under `timeout`, with a fresh profile; returns its status, stdout and stderr.
    static func browse(_ chromium: String, _ url: String, _ extra: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let profile = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: profile) }
        var arguments = ["60", chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000",
                         "--enable-logging=stderr", "--v=0", "--virtual-time-budget=15000", "--no-first-run",
                         "--user-data-dir=\(profile.path)"]
        arguments += extra + [url]
        return try TestSupport.runProcess(URL(fileURLWithPath: "/usr/bin/timeout"), arguments, in: profile)
    }

    /// The start tag of the element with `id` in serialized HTML.
    static func startTag(id: String, in html: String) -> String? {
        guard let range = html.range(of: "id=\"\(id)\"") else { return nil }
        guard let open = html[..<range.lowerBound].lastIndex(of: "<"),
              let close = html[range.upperBound...].firstIndex(of: ">") else { return nil }
        return String(html[open...close])
    }

    static func attribute(_ name: String, in tag: String) -> String? {
        guard let start = tag.range(of: " \(name)=\"") else { return nil }
        return String(tag[start.upperBound...].prefix { $0 != "\"" })
    }
}

/// `lstmlab serve … --port 0` as a child process, run by `command`; `port` is the one it printed. Stopped by its pid
/// (`command` must exec the server in its own process, as `InstalledBinary.command` does).
final class ServerProcess: Sendable {
    let port: Int
    private let process: Process

    /// Serves `archive` with `program` (and the arguments before `serve`, e.g. to run it as another user).
    convenience init(archive: String, program: (executable: URL, arguments: [String])) throws {
        try self.init(command: (program.executable, program.arguments + ["serve", "--archive", archive, "--port", "0"]))
    }

    init(command: (executable: URL, arguments: [String])) throws {
        let process = Process()
        process.executableURL = command.executable
        process.arguments = command.arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let printed = Mutex("")
        output.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            printed.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
        var port: Int?
        for _ in 0..<300 where port == nil {
            Thread.sleep(forTimeInterval: 0.1)
            let text = printed.withLock { $0 }
            if let range = text.range(of: "http://127.0.0.1:") {
                port = Int(text[range.upperBound...].prefix { $0.isNumber })
            }
        }
        output.fileHandleForReading.readabilityHandler = nil
        guard let port else {
            process.terminate()
            throw FixtureFailure("lstmlab serve did not print its address within 30 s")
        }
        self.port = port
        self.process = process
    }

    /// Sends SIGTERM and waits; the exit status.
    @discardableResult
    func stop() -> Int32 {
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        return process.terminationStatus
    }
}
