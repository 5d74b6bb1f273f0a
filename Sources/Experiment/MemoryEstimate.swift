import Foundation
import TimeSeries

extension TrainingSettings {
    /// The memory a set of runs with these settings holds at once, in bytes, and its largest part in words. The
    /// runner keeps every run's result (its curve of `epochs` records, initial, final and Adam weights, snapshots)
    /// until the experiment ends; each run in flight (up to 8 per job, in SIMD lanes) holds a network (four buffers
    /// of P = 4u(lag + u + 1) + u + 1 parameters, plus per-batch caches), and each job Adam's step-size table of one
    /// entry per update; the framed series holds (lag + 1) values per row. `seriesLength` 0 leaves the series out.
    public func memoryNeeded(seriesLength: Int, runCount: Int, jobs: Int, snapshotInterval: Int?)
        -> (bytes: Double, largestPart: String)
    {
        let u = Double(units), lagValue = Double(lag), batch = Double(batchSize)
        let parameters = 4 * u * (lagValue + u + 1) + u + 1
        let rows = max(0, Double(seriesLength) - 1 - lagValue)
        let trainRows = max(0, rows - Double(testSize))
        let testRows = Double(testSize)
        let updates = Double(epochs) * max(1, (trainRows / batch).rounded(.up))
        let snapshots = snapshotInterval.map { $0 > 0 ? (Double(epochs) / Double($0)).rounded(.down) : 0 } ?? 0
        let runs = Double(max(0, runCount))
        // Each job trains up to 8 runs at once in SIMD lanes (the runner's widest vector).
        let workers = Double(max(1, min(jobs, max(1, runCount))))
        let inFlight = Double(max(1, min(jobs * 8, max(1, runCount))))

        let perResult = 8 * (4 + snapshots) * parameters + 32 * Double(epochs) + 64 * testRows + 512
        let perNetwork = 8 * (4 * parameters + batch * (13 * u + 1) + 5 * u) + 8 * (trainRows + testRows)
        let stepTable = 8 * updates
        let framed = rows * (8 * (2 * lagValue + 5) + 80) + Double(max(0, seriesLength)) * 48
        let parts: [(String, Double)] = [
            ("the results of \(runCount) run(s) kept until the end", runs * perResult),
            ("\(Int(inFlight)) network(s) in flight", inFlight * perNetwork),
            ("Adam step sizes for \(Int(updates)) updates per job", workers * stepTable),
            ("the framed series of \(Int(rows)) rows × \(lag + 1) values", framed),
            ("the list of runs", runs * 256),
            // Archiving one run at a time converts its curve and weights once more.
            ("archiving one run", perResult),
        ]
        let total = parts.reduce(0) { $0 + $1.1 }
        let largest = parts.max { $0.1 < $1.1 } ?? parts[0]
        return (total, "\(largest.0): \(formatByteCount(largest.1))")
    }

    /// Refuses settings whose runs would need more than `limit` bytes of memory (`memoryNeeded`), before anything
    /// is allocated, with a one-line message naming the largest part.
    public func checkMemory(seriesLength: Int, runCount: Int, jobs: Int, snapshotInterval: Int?,
                            limit: Double = SettingLimits.memoryLimit) throws {
        let (needed, largest) = memoryNeeded(seriesLength: seriesLength, runCount: runCount, jobs: jobs,
                                             snapshotInterval: snapshotInterval)
        guard needed <= limit else { throw ExperimentError.tooMuchMemory(needed: needed, limit: limit, largest: largest) }
    }
}
