import Foundation
import TimeSeries

/// What `check` found wrong in an archive; empty when sound.
public struct ArchiveCheckReport: Sendable {
    /// `PRAGMA integrity_check` lines other than `ok`.
    public var integrityProblems: [String] = []
    /// Finished runs whose checkpoint is missing, unreadable, damaged or does not match its recorded SHA-256.
    public var checkpointProblems: [String] = []
    /// Runs whose stored values disagree with each other: final scores against the last epoch, the curve's length,
    /// the forecast rows against the stored test RMSE.
    public var recordProblems: [String] = []
    /// Files in the archive's checkpoints folder that no finished run refers to.
    public var orphanFiles: [String] = []
    /// Runs still marked `running` whose process is gone (they are redone by running the experiment again).
    public var staleRunning: [Int64] = []
    /// Runs being trained right now by a live process (not a problem).
    public var runningNow: [Int64] = []
    public var finishedRunsChecked = 0
    public var failedRunsChecked = 0

    public var isSound: Bool {
        integrityProblems.isEmpty && checkpointProblems.isEmpty && recordProblems.isEmpty && orphanFiles.isEmpty
            && staleRunning.isEmpty
    }
}

/// Checks the database's integrity; every finished run's checkpoint (present, readable, its SHA-256, parsed, and
/// naming the run); that every run's derived values agree with its rows (final scores = the last epoch's, the curve
/// as long as the configuration's epochs, or ending before the failing epoch, a forecast row per test month whose
/// months and observed values are the series' and whose RMSE is the stored test RMSE); and lists orphan checkpoint
/// files and runs left `running`.
public func checkArchive(_ store: ArchiveStore) throws -> ArchiveCheckReport {
    var report = ArchiveCheckReport()
    report.integrityProblems = try store.integrityCheck().filter { $0 != "ok" }
    // The files first, then the runs: a run that finishes meanwhile is then listed as finished, not its file as an
    // orphan.
    var files: [String] = []
    if let enumerator = FileManager.default.enumerator(atPath: store.checkpointsDirectory) {
        for case let relative as String in enumerator {
            let path = URL(fileURLWithPath: store.checkpointsDirectory).appendingPathComponent(relative)
                .standardizedFileURL.path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append(path)
            }
        }
    }
    var referenced = Set<String>()
    // Every run read at once (one snapshot): a run that finishes during the check is either still running or
    // finished here, never neither.
    let runs = try store.runs()
    var seriesByExperiment: [Int64: Series] = [:]
    for run in runs where run.status == .finished {
        report.finishedRunsChecked += 1
        let id = run.id!
        if let (path, state) = store.checkpointState(of: run) {
            referenced.insert(URL(fileURLWithPath: path).standardizedFileURL.path)
            switch state {
            case .matches:
                do {
                    let checkpoint = try Checkpoint.read(from: path)
                    if checkpoint.runID != id { report.checkpointProblems.append("run \(id): checkpoint \(path) belongs to run \(checkpoint.runID)") }
                } catch {
                    report.checkpointProblems.append("run \(id): checkpoint \(path) cannot be parsed: \(error)")
                }
            case .missing: report.checkpointProblems.append("run \(id): checkpoint missing at \(path)")
            case .mismatch: report.checkpointProblems.append("run \(id): checkpoint \(path) does not match its SHA-256")
            case .unreadable(let reason):
                report.checkpointProblems.append("run \(id): checkpoint \(path) cannot be read: \(reason)")
            }
        }
        if seriesByExperiment[run.experimentID] == nil {
            seriesByExperiment[run.experimentID] = try store.experiment(id: run.experimentID).series()
        }
        report.recordProblems += try recordProblems(of: run, series: seriesByExperiment[run.experimentID]!, in: store)
    }
    for run in runs where run.status == .failed {
        report.failedRunsChecked += 1
        let curve = try store.curve(runID: run.id!)
        if let failed = run.failedEpoch, curve.count != failed - 1 {
            report.recordProblems.append("run \(run.id!): failed at epoch \(failed) but its curve has \(curve.count) epochs, expected \(failed - 1)")
        }
    }
    for run in runs where run.status == .running {
        if let owner = run.owner, isLiveOtherProcess(owner) {
            report.runningNow.append(run.id!)
        } else {
            report.staleRunning.append(run.id!)
        }
    }
    let inFlight = Set(report.runningNow.map { "\($0).h5" })
    report.orphanFiles = files.filter { path in
        !referenced.contains(path) && !inFlight.contains(URL(fileURLWithPath: path).lastPathComponent)
    }
    report.orphanFiles.sort()
    return report
}

/// Where a finished run's stored values disagree with each other.
func recordProblems(of run: RunRecord, series: Series, in store: ArchiveStore) throws -> [String] {
    let id = run.id!
    var problems: [String] = []
    let curve = try store.curve(runID: id)
    let configuration = try run.configuration()
    if curve.count != configuration.training.epochs {
        problems.append("run \(id): its curve has \(curve.count) epochs, its configuration \(configuration.training.epochs)")
    }
    if let last = curve.last {
        if run.finalTrainRMSE?.bitPattern != last.trainRMSE.bitPattern {
            problems.append("run \(id): final train RMSE \(run.finalTrainRMSE.map { "\($0)" } ?? "NULL") is not the last epoch's \(last.trainRMSE)")
        }
        if run.finalTestRMSE?.bitPattern != last.testRMSE.bitPattern {
            problems.append("run \(id): final test RMSE \(run.finalTestRMSE.map { "\($0)" } ?? "NULL") is not the last epoch's \(last.testRMSE)")
        }
    }
    let forecasts = try store.forecasts(runID: id)
    let testSize = configuration.training.testSize
    if forecasts.map(\.step) != Array(stride(from: 1, through: testSize, by: 1)) {
        problems.append("run \(id): \(forecasts.count) forecast rows (steps \(forecasts.map(\.step))), expected steps 1–\(testSize)")
    } else if forecasts.map(\.month) != Array(series.labels.suffix(testSize))
                || forecasts.map(\.observed) != Array(series.values.suffix(testSize)) {
        problems.append("run \(id): its forecast rows' months or observed values are not the series' last \(testSize)")
    } else if let stored = run.finalTestRMSE {
        let rmse = rootMeanSquaredError(forecasts.map(\.forecast), forecasts.map(\.observed))
        if !(abs(rmse - stored) <= 1e-9 * max(1, abs(stored))) {
            problems.append("run \(id): its forecast rows give a test RMSE of \(rmse), the run records \(stored)")
        }
    }
    return problems
}
