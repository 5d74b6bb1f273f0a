import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Lab
import Server

/// `lstmlab serve`'s latencies over an archive (the full study's, for the README's figures): the server runs in this
/// process on a free loopback port and each endpoint is fetched over HTTP `samples` times; the median is printed.
struct ServeBenchmark {
    var archive: String
    var samples: Int

    func run() throws {
        let lab = try Lab.reading(archive: archive)
        let overviews = try lab.experimentOverviews()
        guard let grid = overviews.max(by: { $0.spec.configurations.count < $1.spec.configurations.count }),
              let run = try lab.runListing(experiment: grid.record.name, status: .finished).first?.record.id else {
            throw BenchmarkFailure(message: "the archive \(archive) has no finished runs; run `lstmlab study --archive \(archive)` first")
        }
        // Four configurations of 30 runs, across experiments: the compare page's heaviest usual selection.
        let picks = try lab.finishedConfigurations().filter { $0.finished >= 30 }.prefix(4)
        let compare = picks.map { "c=" + encoded("\($0.experimentID):\($0.label)") }.joined(separator: "&")
        let snapshot = try lab.snapshotEpochs(runID: run).dropLast().last ?? 1

        let port = try startServer(lab)
        let base = "http://127.0.0.1:\(port)"
        print("lstmlab serve over \(archive): \(overviews.count) experiments, \(overviews.reduce(0) { $0 + $1.finished }) "
              + "finished runs; median of \(samples) requests each (server in this process, HTTP over loopback)")
        let cases: [(String, String, String)] = [
            ("experiment list (JSON)", "/api/experiments", "≤ 50 ms"),
            ("experiments page (HTML)", "/", ""),
            ("\(grid.record.name) aggregated curves, \(grid.spec.configurations.count) configurations (default sampling)",
             "/api/experiments/\(grid.id)/curves", "≤ 200 ms, ≤ 1 MB"),
            ("\(grid.record.name) page (HTML: describe, diagnostics, comparisons)", "/experiments/\(grid.id)", ""),
            ("\(grid.record.name) summary (JSON)", "/api/experiments/\(grid.id)/summary", ""),
            ("one run's curve, all epochs", "/api/runs/\(run)/epochs", "≤ 20 ms"),
            ("one run (JSON: details, snapshot epochs)", "/api/runs/\(run)", ""),
            ("forecast at snapshot epoch \(snapshot)", "/api/runs/\(run)/forecast?epoch=\(snapshot)", "≤ 50 ms"),
            ("compare: 4 configurations' mean and bands, all epochs", "/api/curves?\(compare)&max-points=0", ""),
            ("compare: their \(picks.reduce(0) { $0 + $1.finished }) runs, all epochs", "/api/curves/runs?\(compare)&max-points=0", ""),
        ]
        for (name, path, target) in cases {
            var times: [Double] = []
            var size = 0
            for _ in 0..<samples {
                let start = DispatchTime.now().uptimeNanoseconds
                let (status, body) = try fetch(base + path)
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                guard status == 200 else { throw BenchmarkFailure(message: "\(path) answered \(status): \(String(decoding: body.prefix(300), as: UTF8.self))") }
                size = body.count
            }
            let sizeText = size >= 100_000 ? String(format: "%.2f MB", Double(size) / 1e6) : String(format: "%.1f KB", Double(size) / 1e3)
            print("\(name): median \(milliseconds(median(times))), \(sizeText)\(target.isEmpty ? "" : " (target \(target))")")
        }
    }

    private func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }

    /// Starts the server on a free loopback port; returns the port.
    private func startServer(_ lab: Lab) throws -> Int {
        let server = try ArchiveServer(lab: lab)
        let bound = PortBox()
        let application = server.application(host: "127.0.0.1", port: 0) { port in bound.set(port) }
        Task { try await application.run() }
        return try bound.wait()
    }

    private func fetch(_ url: String) throws -> (Int, Data) {
        let result = ResultBox()
        URLSession.shared.dataTask(with: URL(string: url)!) { data, response, error in
            result.set(((response as? HTTPURLResponse)?.statusCode ?? 0, data ?? Data(), error))
        }.resume()
        let (status, data, error) = result.wait()
        if let error { throw error }
        return (status, data)
    }
}

struct BenchmarkFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

private final class PortBox: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private var port = 0
    func set(_ value: Int) { port = value; semaphore.signal() }
    func wait() throws -> Int {
        guard semaphore.wait(timeout: .now() + 30) == .success else { throw BenchmarkFailure(message: "the server did not start") }
        return port
    }
}

private final class ResultBox: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private var value: (Int, Data, (any Error)?) = (0, Data(), nil)
    func set(_ result: (Int, Data, (any Error)?)) { value = result; semaphore.signal() }
    func wait() -> (Int, Data, (any Error)?) { semaphore.wait(); return value }
}
