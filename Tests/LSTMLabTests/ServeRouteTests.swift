@testable import Analysis
import Archive
import Experiment
import Dispatch
import Foundation
import Hummingbird
import HummingbirdTesting
@testable import Lab
@testable import LSTMLabCLI
@testable import Server
import Synchronization
import Testing

// MARK: - Fixture

/// A small archive for the server: `input-keras2` (4 configurations × 3 repeats × 40 epochs, snapshots every 20) and
/// a second experiment whose name is an HTML injection attempt, one of whose runs names a checkpoint outside the
/// archive and another a symbolic link leading out of it. Built once per test process.
struct ServeArchive: Sendable {
    static let hostileName = "<img src=x onerror=alert(1)>"
    let path: String
    let inputID: Int64
    let hostileID: Int64
    /// A finished run of input-keras2 with its checkpoint.
    let runID: Int64
    let outsideRunID: Int64
    let symlinkRunID: Int64

    private static let built = Result { try ServeArchive() }
    static func shared() throws -> ServeArchive { try built.get() }

    private init() throws {
        path = TestSupport.temporaryArchive()
        let lab = try Lab.writing(archive: path)
        let training = TrainingSettings(profile: .keras2, epochs: 40)
        for spec in [Preset.input.experiment(seed: 5, repeats: 3, training: training),
                     Preset.baseline.experiment(seed: 5, repeats: 3, training: training)] {
            let outcome = try lab.run(try ExperimentPlan(spec: spec, series: .shampooSales(), snapshotInterval: 20), jobs: 2)
            guard outcome.trained.count == spec.runs.count else { throw FixtureFailure("\(spec.name) did not train") }
        }
        let store = lab.store
        inputID = try store.experiment(named: "input-keras2").id!
        hostileID = try store.experiment(named: "baseline-keras2").id!
        runID = try store.runs(experimentID: inputID, status: .finished)[1].id!
        let hostileRuns = try store.runs(experimentID: hostileID, status: .finished).map { $0.id! }
        outsideRunID = hostileRuns[1]
        symlinkRunID = hostileRuns[2]
        let link = store.checkpointsDirectory + "/leads-out.h5"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "/etc/passwd")
        let (hostileID, outside, symlink) = (hostileID, outsideRunID, symlinkRunID)
        try store.write { db in
            try db.execute(sql: "UPDATE experiment SET name = ? WHERE id = ?", arguments: [Self.hostileName, hostileID])
            try db.execute(sql: "UPDATE run SET checkpoint_path = '../../../../../../etc/passwd' WHERE id = ?",
                           arguments: [outside])
            try db.execute(sql: "UPDATE run SET checkpoint_path = ? WHERE id = ?",
                           arguments: [URL(fileURLWithPath: store.checkpointsDirectory).lastPathComponent + "/leads-out.h5", symlink])
        }
    }
}

/// The body, status and headers of a GET through the router, without opening a port.
struct Fetched: Sendable {
    var status: Int
    var contentType: String
    var body: String
    var bytes: [UInt8]
    var headers: HTTPFields

    /// The body parsed as JSON.
    func json() throws -> Any { try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) }
    /// The body decoded as `T` (JSONDecoder reads doubles exactly; Foundation's JSONSerialization may not).
    func decoded<T: Decodable>(_ type: T.Type) throws -> T { try JSONDecoder().decode(T.self, from: Data(bytes)) }
    /// The `error` of a JSON error body.
    var error: String? { (try? json() as? [String: Any])?.flatMap { $0["error"] as? String } }
}

func fetchAll(_ uris: [String], dygraphsFolder: String = "/usr/share/javascript/dygraphs") async throws -> [Fetched] {
    let lab = try Lab.reading(archive: try ServeArchive.shared().path)
    let server = try ArchiveServer(lab: lab, dygraphsFolder: dygraphsFolder)
    let application = Application(router: server.router())
    return try await application.test(.router) { client in
        var results: [Fetched] = []
        for uri in uris {
            let response = try await client.execute(uri: uri, method: .get)
            let bytes = Array(response.body.readableBytesView)
            results.append(Fetched(status: Int(response.status.code), contentType: response.headers[.contentType] ?? "",
                                   body: String(decoding: bytes, as: UTF8.self), bytes: bytes, headers: response.headers))
        }
        return results
    }
}

func fetch(_ uri: String) async throws -> Fetched { try await fetchAll([uri])[0] }

private func contents(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

// MARK: - Tests

@Suite("lstmlab serve: routes, in-process")
struct ServeRouteTests {
    @Test("Every page answers HTML and every API endpoint JSON, with the security headers")
    func everyEndpoint() async throws {
        let a = try ServeArchive.shared()
        let c = "c=\(a.inputID)%3Akernel%20L1L2(0.01%2C0.00)"
        let pages = ["/", "/experiments/\(a.inputID)", "/experiments/\(a.hostileID)", "/compare", "/compare?\(c)",
                     "/runs/\(a.runID)"]
        let apis = ["/api/experiments", "/api/experiments/\(a.inputID)", "/api/experiments/\(a.inputID)/summary",
                    "/api/experiments/\(a.inputID)/comparisons", "/api/experiments/\(a.inputID)/runs",
                    "/api/experiments/\(a.inputID)/curves", "/api/configurations", "/api/curves?\(c)",
                    "/api/curves/runs?\(c)&r=\(a.runID)", "/api/runs/\(a.runID)", "/api/runs/\(a.runID)/epochs",
                    "/api/runs/\(a.runID)/forecast?epoch=20"]
        let results = try await fetchAll(pages + apis)
        for (uri, result) in zip(pages + apis, results) {
            #expect(result.status == 200, "\(uri): \(result.body.prefix(300))")
            #expect(result.contentType == (uri.hasPrefix("/api/") ? "application/json; charset=utf-8" : "text/html; charset=utf-8"), "\(uri)")
            #expect(result.headers[.xContentTypeOptions] == "nosniff", "\(uri)")
            #expect(result.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true, "\(uri)")
            if uri.hasPrefix("/api/") { _ = try result.json() }
        }
        let box = try await fetch("/experiments/\(a.inputID)/boxplot.svg")
        #expect(box.status == 200 && box.contentType.hasPrefix("image/svg+xml") && box.body.contains("<svg"))
        for name in ["app.js", "style.css", "dygraph.min.js", "dygraph.min.css"] {
            let file = try await fetch("/static/\(name)")
            #expect(file.status == 200 && !file.body.isEmpty, "\(name)")
            #expect(file.contentType.hasPrefix(name.hasSuffix(".js") ? "text/javascript" : "text/css"), "\(name)")
        }
    }

    @Test("The API's numbers are the archive's: counts, describe, curves, epochs, forecasts")
    func apiValues() async throws {
        let a = try ServeArchive.shared()
        let lab = try Lab.reading(archive: a.path)
        let results = try await fetchAll([
            "/api/experiments", "/api/experiments/\(a.inputID)/summary", "/api/experiments/\(a.inputID)/curves",
            "/api/experiments/\(a.inputID)/curves?max-points=5", "/api/runs/\(a.runID)/epochs",
            "/api/runs/\(a.runID)/forecast?epoch=20", "/api/runs/\(a.runID)", "/api/experiments/\(a.inputID)/comparisons",
            "/api/curves/runs?c=\(a.inputID)%3Akernel%20L1L2(0.00%2C0.00)&r=\(a.runID)&from=10&to=20&every=5",
        ])
        let experiments = try #require(try results[0].json() as? [[String: Any]])
        #expect(experiments.count == 2)
        #expect(experiments[0]["name"] as? String == "input-keras2")
        #expect(experiments[0]["finished"] as? Int == 12 && experiments[0]["expected"] as? Int == 12)
        #expect(experiments[0]["running"] as? Int == 0 && experiments[0]["profile"] as? String == "keras2")

        let experiment = try lab.results(of: "input-keras2")
        struct SummaryRow: Decodable {
            var configuration: String, count: Int, mean: Double, q75: Double
            enum CodingKeys: String, CodingKey { case configuration, count, mean, q75 = "75%" }
        }
        let summary = try results[1].decoded([SummaryRow].self)
        #expect(summary.count == 4)
        for (row, configuration) in zip(summary, experiment.configurations) {
            let described = Description(configuration.scores)
            #expect(row.configuration == configuration.label)
            #expect(row.mean == described.mean && row.q75 == described.q75 && row.count == 3)
        }

        struct CurveRow: Decodable {
            var epoch: [Int], test_mean: [Double], train_q25: [Double], test_q75: [Double], best_epoch: Int
        }
        let curves = try results[2].decoded([CurveRow].self)
        #expect(curves.count == 4)
        let expected = try lab.curveSummary(of: experiment.configurations[0])
        #expect(curves[0].epoch == Array(1...40))
        #expect(curves[0].test_mean == expected.meanTest)
        #expect(curves[0].train_q25 == expected.trainQuartiles.low)
        #expect(curves[0].best_epoch == expected.diagnostics.bestEpoch)
        let sampled = try results[3].decoded([CurveRow].self)
        #expect(sampled[0].epoch.count <= 5 && sampled[0].epoch.first == 1 && sampled[0].epoch.last == 40)
        #expect(sampled[0].test_q75 == sampled[0].epoch.map { expected.testQuartiles.high[$0 - 1] })

        struct Epochs: Decodable { var epoch: [Int], train_rmse: [Double], test_rmse: [Double], loss: [Double] }
        let curve = try results[4].decoded(Epochs.self)
        let stored = try lab.store.curve(runID: a.runID)
        #expect(curve.epoch == stored.map(\.epoch))
        #expect(curve.test_rmse == stored.map(\.testRMSE) && curve.train_rmse == stored.map(\.trainRMSE))
        #expect(curve.loss == stored.map(\.loss))

        struct Month: Decodable { var epoch: Int, month: String, forecast: Double, observed: Double? }
        let forecast = try results[5].decoded([Month].self)
        let direct = try lab.forecast(runID: a.runID, epoch: 20)
        #expect(forecast.map(\.forecast) == (direct.testMonths + [direct.nextMonth]).map(\.forecast))
        #expect(forecast.map(\.observed) == (direct.testMonths + [direct.nextMonth]).map(\.observed))
        #expect(forecast.allSatisfy { $0.epoch == 20 })

        let run = try #require(try results[6].json() as? [String: Any])
        #expect(run["snapshot_epochs"] as? [Int] == [20, 40])
        #expect(run["checkpoint"] as? String == "/runs/\(a.runID)/checkpoint.h5")
        #expect((run["recreate_command"] as? String)?.hasPrefix("lstmlab run input") == true)
        // The run's own provenance: where and with what it was trained.
        let record = try lab.store.run(id: a.runID)
        #expect(run["host"] as? String == record.host && run["git_commit"] as? String == record.gitCommit)
        #expect(run["engine"] as? String == record.engine && record.engine.hasPrefix("numerics "))

        struct ComparisonRow: Decodable { var configuration: String, delta_mean: Double, welch_p_holm: Double?, cohens_d: Double }
        let comparisons = try results[7].decoded([ComparisonRow].self)
        let direct2 = try lab.comparisonsWithBaseline(experiment: "input-keras2").comparisons
        #expect(comparisons.map(\.delta_mean) == direct2.map(\.meanDifference))
        #expect(comparisons.map(\.welch_p_holm) == direct2.map(\.adjustedPValue))
        #expect(comparisons.map(\.cohens_d) == direct2.map(\.cohensD))

        let runs = try #require(try results[8].json() as? [[String: Any]])
        #expect(runs.count == 4)
        #expect(runs.allSatisfy { $0["epoch"] as? [Int] == [10, 15, 20] })
        #expect(runs.last?["run_id"] as? Int == Int(a.runID))
    }

    @Test("The experiment page shows the describe table and the comparison table with the numbers of `lstmlab compare`")
    func experimentPageNumbers() async throws {
        let a = try ServeArchive.shared()
        let lab = try Lab.reading(archive: a.path)
        let page = try await fetch("/experiments/\(a.inputID)")
        let comparisons = try lab.comparisonsWithBaseline(experiment: "input-keras2").comparisons
        // The CLI's table, cell by cell.
        let table = comparisonTable(comparisons)
        for comparison in comparisons {
            for cell in comparisonCells(comparison) {
                #expect(table.contains(cell))
                #expect(page.body.contains("<td>\(cell)</td>"), "missing cell \(cell)")
            }
        }
        for configuration in try lab.results(of: "input-keras2").configurations {
            #expect(page.body.contains(fixed(Description(configuration.scores).mean, decimals: 6)))
        }
        #expect(page.body.contains("id=\"chart-means\"") && page.body.contains("/experiments/\(a.inputID)/boxplot.svg"))
    }

    @Test("Unknown and malformed ids: a JSON 404 or 400 under /api/, one line, no stack trace")
    func badIDs() async throws {
        let cases: [(String, Int)] = [
            ("/api/runs/999999", 404), ("/api/experiments/999999", 404), ("/api/experiments/999999/curves", 404),
            ("/api/runs/0", 400), ("/api/runs/-1", 400), ("/api/runs/abc", 400), ("/api/runs/1.5", 400),
            ("/api/runs/99999999999999999999999", 400), ("/api/runs/999999/epochs", 404),
            ("/api/runs/999999/forecast", 404), ("/api/experiments/0/summary", 400), ("/api/nothing", 404),
            ("/api/runs/1/nothing", 404),
        ]
        let results = try await fetchAll(cases.map(\.0))
        for ((uri, status), result) in zip(cases, results) {
            #expect(result.status == status, "\(uri): \(result.status) \(result.body)")
            #expect(result.contentType == "application/json; charset=utf-8", "\(uri)")
            let message = try #require(result.error, "\(uri): \(result.body)")
            #expect(!message.contains("\n") && !message.contains("Fatal") && !message.contains(".swift"), "\(uri): \(message)")
        }
        // Pages answer HTML with the same message.
        let page = try await fetch("/runs/999999")
        #expect(page.status == 404 && page.contentType == "text/html; charset=utf-8")
        #expect(page.body.contains("no run with id 999999 in the archive"))
        let experiment = try await fetch("/experiments/abc")
        #expect(experiment.status == 400 && experiment.body.contains("experiment ids are positive integers, got &#39;abc&#39;"))
    }

    @Test("Bad parameters are a 400 naming the value: sampling, epochs, selections")
    func badParameters() async throws {
        let a = try ServeArchive.shared()
        let base = "/api/experiments/\(a.inputID)/curves"
        let cases: [(String, Int, String)] = [
            ("\(base)?max-points=1", 400, "max-points"), ("\(base)?max-points=abc", 400, "max-points"),
            ("\(base)?max-points=99999999999", 400, "max-points"), ("\(base)?max-points=-3", 400, "max-points"),
            ("\(base)?every=0", 400, "every"), ("\(base)?from=30&to=10", 400, "from"), ("\(base)?from=-5", 400, "from"),
            ("/api/runs/\(a.runID)/forecast?epoch=-5", 400, "epoch"), ("/api/runs/\(a.runID)/forecast?epoch=x", 400, "epoch"),
            ("/api/runs/\(a.runID)/forecast?epoch=7", 404, "snapshot"),
            ("/api/curves?c=nonsense", 400, "EXPERIMENT_ID:CONFIGURATION"),
            ("/api/curves?c=\(a.inputID)%3Anot%20a%20label", 404, "no configuration"),
            ("/api/curves?c=999%3Ax", 404, "no experiment with id 999"),
            ("/api/curves/runs?r=abc", 400, "run ids"), ("/api/curves/runs?r=999999", 404, "no run"),
            ("/api/curves?" + (0...100).map { "c=\(a.inputID)%3Ax\($0)" }.joined(separator: "&"), 400, "at most 100"),
            ("/api/curves/runs?r=" + (1...1001).map(String.init).joined(separator: "+"), 400, "at most 1000"),
        ]
        let results = try await fetchAll(cases.map(\.0))
        for ((uri, status, word), result) in zip(cases, results) {
            #expect(result.status == status, "\(uri.prefix(120)): \(result.status) \(result.body.prefix(300))")
            #expect(result.error?.contains(word) == true, "\(uri.prefix(120)): \(result.body.prefix(300))")
        }
        // A huge but allowed max-points is simply every epoch.
        let all = try await fetch("\(base)?max-points=1000000")
        let rows = try #require(try all.json() as? [[String: Any]])
        #expect((rows[0]["epoch"] as? [Int])?.count == 40)
    }

    @Test("Paths never leave the archive: traversal in ids and names, stored paths outside it, links out of it")
    func traversal() async throws {
        let a = try ServeArchive.shared()
        let lab = try Lab.reading(archive: a.path)
        let cases: [(String, Int)] = [
            ("/runs/..%2F..%2Fetc%2Fpasswd/checkpoint.h5", 400), ("/runs/%2e%2e/checkpoint.h5", 400),
            ("/runs/1%2F..%2F..%2Fetc%2Fpasswd", 400), ("/static/..%2F..%2F..%2Fetc%2Fpasswd", 404),
            ("/static/%2e%2e%2fPackage.swift", 404), ("/static/../../Package.swift", 404), ("/static/", 404),
            ("/static/dygraph.js.map", 404), ("/runs/\(a.outsideRunID)/checkpoint.h5", 403),
            ("/runs/\(a.symlinkRunID)/checkpoint.h5", 403), ("/runs/999999/checkpoint.h5", 404),
        ]
        let results = try await fetchAll(cases.map(\.0))
        for ((uri, status), result) in zip(cases, results) {
            #expect(result.status == status, "\(uri): \(result.status) \(result.body.prefix(200))")
            #expect(!result.body.contains("root:"), "\(uri) leaked /etc/passwd")
        }
        // The real checkpoint downloads, byte for byte.
        let download = try await fetch("/runs/\(a.runID)/checkpoint.h5")
        #expect(download.status == 200 && download.contentType == "application/x-hdf5")
        #expect(download.headers[.contentDisposition] == "attachment; filename=\"run-\(a.runID).h5\"")
        let file = try lab.checkpointFile(runID: a.runID)
        #expect(download.bytes == Array(try Data(contentsOf: URL(fileURLWithPath: file))))
    }

    @Test("Every label is HTML-escaped: an experiment named <img src=x onerror=alert(1)> shows as text")
    func escaping() async throws {
        let a = try ServeArchive.shared()
        let escaped = "&lt;img src=x onerror=alert(1)&gt;"
        let results = try await fetchAll(["/", "/experiments/\(a.hostileID)", "/compare", "/runs/\(a.symlinkRunID)",
                                          "/api/experiments", "/experiments/\(a.hostileID)/boxplot.svg"])
        for result in results.prefix(4) {
            #expect(result.body.contains(escaped), "\(result.body.prefix(400))")
            #expect(!result.body.contains("<img src=x"))
        }
        // JSON carries it as data, with < and > as \u escapes.
        #expect(results[4].body.contains("\\u003cimg src=x onerror=alert(1)\\u003e"))
        #expect(!results[4].body.contains("<img"))
        let names = try #require(try results[4].json() as? [[String: Any]]).compactMap { $0["name"] as? String }
        #expect(names.contains(ServeArchive.hostileName))
        #expect(results[5].body.contains(escaped) && !results[5].body.contains("<img"))
    }

    @Test("The server never writes: the archive's bytes are the same after every request")
    func readOnly() async throws {
        let a = try ServeArchive.shared()
        let before = try contents(a.path)
        let c = "c=\(a.inputID)%3Akernel%20L1L2(0.01%2C0.00)"
        _ = try await fetchAll(["/", "/experiments/\(a.inputID)", "/api/experiments/\(a.inputID)/summary",
                                "/api/curves/runs?\(c)", "/runs/\(a.runID)", "/api/runs/\(a.runID)/forecast?epoch=40",
                                "/runs/\(a.runID)/checkpoint.h5"])
        #expect(try contents(a.path) == before)
    }

    @Test("Runs archived while the server runs appear in the experiments list without a restart")
    func live() async throws {
        let path = TestSupport.temporaryArchive()
        let writer = try Lab.writing(archive: path)
        let training = TrainingSettings(profile: .keras2, epochs: 5)
        _ = try writer.run(try ExperimentPlan(spec: Preset.baseline.experiment(seed: 1, repeats: 1, training: training),
                                              series: .shampooSales(), snapshotInterval: nil), jobs: 1)
        let server = try ArchiveServer(lab: try Lab.reading(archive: path))
        let counts = try await Application(router: server.router()).test(.router) { client in
            func finished() async throws -> [Int] {
                let response = try await client.execute(uri: "/api/experiments", method: .get)
                let rows = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [[String: Any]]
                return (rows ?? []).compactMap { $0["finished"] as? Int }
            }
            let first = try await finished()
            _ = try writer.run(try ExperimentPlan(spec: Preset.input.experiment(seed: 1, repeats: 1, training: training),
                                                  series: .shampooSales(), snapshotInterval: nil), jobs: 1)
            return (first, try await finished())
        }
        #expect(counts.0 == [1])
        #expect(counts.1 == [1, 4])
    }

    @Test("Without libjs-dygraphs the pages say how to install it, and its files are a JSON 404 saying so too")
    func missingDygraphs() async throws {
        let results = try await fetchAll(["/", "/static/dygraph.min.js"], dygraphsFolder: "/nonexistent-dygraphs")
        #expect(results[0].status == 200 && results[0].body.contains("apt-get install libjs-dygraphs"))
        #expect(!results[0].body.contains("dygraph.min.js"))
        #expect(results[1].status == 404 && results[1].error?.contains("libjs-dygraphs") == true)
    }

    @Test("serve checks its options and its archive before listening")
    func serveOptions() throws {
        #expect(TestSupport.inProcessError(["serve", "--port", "70000"])?.contains("--port must be from 0 to 65535") == true)
        #expect(TestSupport.inProcessError(["serve", "--host", ""])?.contains("--host") == true)
        let missing = TestSupport.inProcessError(["serve", "--archive", TestSupport.missingPath() + ".sqlite"])
        #expect(missing?.contains("no archive at") == true)
        let help = LSTMLab.helpMessage(for: ServeCommand.self, columns: 200)
        for option in ["--host", "--port", "--archive"] { #expect(help.contains(option)) }
    }
}

@Suite("Epoch sampling for the API")
struct EpochSamplingTests {
    @Test("max-points keeps the first and last epoch and never exceeds the limit")
    func maxPoints() {
        let epochs = Array(1...1000)
        for limit in [2, 3, 7, 10, 200, 999, 1000, 5000] {
            let kept = EpochSampling(maxPoints: limit).indices(of: epochs)
            #expect(kept.count <= limit, "\(limit)")
            #expect(kept.first == 0 && kept.last == 999, "\(limit)")
            #expect(kept == kept.sorted() && Set(kept).count == kept.count)
            #expect(kept.count >= min(limit, 1000) / 2, "\(limit): only \(kept.count)")
        }
        #expect(EpochSampling(maxPoints: 5000).indices(of: epochs).count == 1000)
    }

    @Test("from, to and every pick a range and a stride")
    func rangeAndStride() {
        let epochs = Array(1...100)
        #expect(EpochSampling(from: 10, to: 20, every: 5).indices(of: epochs).map { epochs[$0] } == [10, 15, 20])
        #expect(EpochSampling(from: 95, to: 500).indices(of: epochs).map { epochs[$0] } == [95, 96, 97, 98, 99, 100])
        #expect(EpochSampling(from: 101).indices(of: epochs).isEmpty)
        #expect(EpochSampling(every: 30).indices(of: epochs).map { epochs[$0] } == [1, 31, 61, 91, 100])
    }

    @Test("The JSON writer writes non-finite numbers as null and escapes markup and control characters")
    func jsonWriter() throws {
        let value = JSONValue.object([("a", .numbers([1, .nan, .infinity, -0.5])), ("s", .string("<b>\"x\"\n\u{1}"))])
        let text = String(decoding: value.encoded, as: UTF8.self)
        #expect(text == #"{"a":[1.0,null,null,-0.5],"s":"\u003cb\u003e\"x\"\n\u0001"}"#)
        _ = try JSONSerialization.jsonObject(with: Data(value.encoded))
    }
}

/// What a hostile pass found, each kept from coming back: hangs, files outside the archive, DNS rebinding, oversize
/// answers, HEAD, id spellings, killed runs shown as running.
@Suite("lstmlab serve: hostile requests and archives")
struct ServeHostileTests {
    /// A fresh archive of 3 baseline runs × 6 epochs (snapshots every 3), its server, and its store for edits.
    static func server() throws -> (server: ArchiveServer, store: ArchiveStore, runs: [Int64]) {
        let path = TestSupport.temporaryArchive()
        let spec = Preset.baseline.experiment(seed: 9, repeats: 3, training: TrainingSettings(profile: .keras2, epochs: 6))
        let lab = try Lab.writing(archive: path)
        _ = try lab.run(try ExperimentPlan(spec: spec, series: .shampooSales(), snapshotInterval: 3), jobs: 1)
        let reading = try Lab.reading(archive: path)
        return (try ArchiveServer(lab: reading), lab.store, try lab.store.runs().map { $0.id! })
    }

    static func request(_ router: Router<BasicRequestContext>, _ uri: String, method: HTTPRequest.Method = .get,
                        headers: HTTPFields = [:]) async throws -> (status: Int, body: String) {
        try await Application(router: router).test(.router) { client in
            let response = try await client.execute(uri: uri, method: method, headers: headers)
            return (Int(response.status.code), String(decoding: Array(response.body.readableBytesView), as: UTF8.self))
        }
    }

    @Test("A checkpoint path that leaves the archive (.., absolute, a copy elsewhere) is never read, and never hangs")
    func checkpointsOutsideTheArchive() async throws {
        let (server, store, runs) = try Self.server()
        let elsewhere = try TestSupport.temporaryDirectory().appendingPathComponent("copy.h5").path
        let original = try #require(store.checkpointState(of: try store.run(id: runs[2]))?.path)
        try FileManager.default.copyItem(atPath: original, toPath: elsewhere)
        let folder = URL(fileURLWithPath: store.checkpointsDirectory).lastPathComponent
        try store.write { db in
            try db.execute(sql: "UPDATE run SET checkpoint_path = '../../etc/nothing-here' WHERE id = ?", arguments: [runs[0]])
            try db.execute(sql: "UPDATE run SET checkpoint_path = ? WHERE id = ?", arguments: ["\(folder)/../gone.h5", runs[1]])
            // A copy of a real checkpoint outside the archive, its hash matching: still not read.
            try db.execute(sql: "UPDATE run SET checkpoint_path = ? WHERE id = ?", arguments: [elsewhere, runs[2]])
        }
        // Paths with `..` to missing files once sent the folder walk into an endless loop: a watchdog turns a hang
        // into a failure (the bound is for liveness only, far above the microseconds this takes).
        let records = [try store.run(id: runs[0]), try store.run(id: runs[1])]
        let states = Mutex<[CheckpointState?]>([])
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            let found = records.map { store.checkpointState(of: $0)?.state }
            states.withLock { $0 = found }
            done.signal()
        }
        try #require(done.wait(timeout: .now() + 300) == .success, "checkpointState did not return")
        #expect(states.withLock { $0 } == [.missing, .missing])
        #expect(store.checkpointState(of: try store.run(id: runs[2]))?.state
                == .unreadable(reason: "it is not inside the archive's checkpoints folder"))
        let router = server.router()
        for id in runs {
            let page = try await Self.request(router, "/api/runs/\(id)")
            #expect(page.status == 200, "\(page)")
            let forecast = try await Self.request(router, "/api/runs/\(id)/forecast")
            #expect([404, 409].contains(forecast.status) && forecast.body.contains("\"error\""), "\(forecast)")
        }
    }

    @Test("Bound to loopback, requests for another host name are refused (DNS rebinding); HEAD answers as GET")
    func hostsAndHead() async throws {
        let (server, _, runs) = try Self.server()
        let router = server.router(listeningOn: "127.0.0.1")
        let evil = try await Self.request(router, "/api/runs/\(runs[0])", headers: [.init("Host")!: "evil.example:8080"])
        #expect(evil.status == 421 && evil.body.contains("127.0.0.1 and localhost only"), "\(evil)")
        for host in ["127.0.0.1:8080", "localhost:8080", "LOCALHOST", "[::1]:8080"] {
            let fine = try await Self.request(router, "/api/runs/\(runs[0])", headers: [.init("Host")!: host])
            #expect(fine.status == 200, "\(host): \(fine)")
        }
        #expect(try await Self.request(server.router(listeningOn: "0.0.0.0"), "/api/experiments",
                                       headers: [.init("Host")!: "lab.example"]).status == 200)
        let head = try await Self.request(router, "/", method: .head)
        #expect(head.status == 200 && head.body.isEmpty, "\(head)")
    }

    @Test("One id has one spelling; answers over a million values are refused; a killed run is not shown as running")
    func idsSizesAndKilledRuns() async throws {
        let (server, store, runs) = try Self.server()
        let router = server.router()
        for spelling in ["+\(runs[0])", "0\(runs[0])", "\(runs[0]).0"] {
            #expect(try await Self.request(router, "/api/runs/\(spelling)").status == 400, "\(spelling)")
        }
        #expect(throws: RequestError.self) { try QueryParameters.checkSize(values: QueryParameters.valueLimit + 1) }
        try QueryParameters.checkSize(values: QueryParameters.valueLimit)
        // A run left running by a process that is gone (pid 1's start time never matches) counts as interrupted.
        try store.write { db in
            try db.execute(sql: "UPDATE run SET status = 'running', owner = ? WHERE id = ?",
                           arguments: ["\(ProcessInfo.processInfo.hostName):999999:1", runs[0]])
        }
        let list = try await Self.request(router, "/api/experiments")
        #expect(list.body.contains("\"running\":0") && list.body.contains("\"interrupted\":1"), "\(list.body)")
    }
}
