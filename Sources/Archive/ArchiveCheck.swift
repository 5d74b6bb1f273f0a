import Foundation

/// What `check` found wrong in an archive; empty when sound.
public struct ArchiveCheckReport: Sendable {
    /// `PRAGMA integrity_check` lines other than `ok`.
    public var integrityProblems: [String] = []
    /// Rows naming rows that do not exist (`PRAGMA foreign_key_check`), by table.
    public var foreignKeyProblems: [String] = []
    /// Finished runs whose checkpoint is missing, unreadable, damaged or does not match its recorded SHA-256.
    public var checkpointProblems: [String] = []
    /// Experiments and runs whose rows disagree with each other (see `ArchiveStore.recordProblems`): labels,
    /// configurations, repeats and seeds against the experiment, numerics versions, curves, scores and forecasts.
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
        integrityProblems.isEmpty && foreignKeyProblems.isEmpty && checkpointProblems.isEmpty && recordProblems.isEmpty
            && orphanFiles.isEmpty && staleRunning.isEmpty
    }
}

/// Checks the database's integrity and foreign keys; every finished run's checkpoint (present, readable, its
/// SHA-256, parsed, and naming the run's id, seed, experiment, configuration and epochs); every experiment's and run's
/// rows against each other (`ArchiveStore.recordProblems`); and lists orphan checkpoint files and runs left `running`.
/// `checkingCheckpoint` is given each finished run's checkpoint that matches its hash and names it, read once, and
/// returns what else is wrong with it (nil when nothing).
public func checkArchive(_ store: ArchiveStore,
                         checkingCheckpoint: (RunRecord, Checkpoint) throws -> String? = { _, _ in nil }) throws
    -> ArchiveCheckReport
{
    var report = ArchiveCheckReport()
    report.integrityProblems = try store.integrityCheck().filter { $0 != "ok" }
    report.foreignKeyProblems = try store.foreignKeyProblems()
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
    // Every run read at once with the experiments and their rows (one snapshot): a run that finishes during the
    // check is either still running or finished here, never neither.
    let (experiments, runs, recordProblems) = try store.checkedRecords()
    let names = Dictionary(uniqueKeysWithValues: experiments.map { ($0.id!, $0.name) })
    for run in runs where run.status == .finished {
        report.finishedRunsChecked += 1
        let id = run.id!
        if let (path, state) = store.checkpointState(of: run) {
            referenced.insert(URL(fileURLWithPath: path).standardizedFileURL.path)
            switch state {
            case .matches:
                let checkpoint: Checkpoint
                do {
                    checkpoint = try Checkpoint.read(from: path)
                } catch {
                    report.checkpointProblems.append("run \(id): checkpoint \(path) cannot be parsed: \(error)")
                    continue
                }
                let mismatch = try checkpoint.identityMismatch(with: run, experiment: names[run.experimentID])
                    ?? checkingCheckpoint(run, checkpoint)
                if let mismatch { report.checkpointProblems.append("run \(id): checkpoint \(path): \(mismatch)") }
            case .missing: report.checkpointProblems.append("run \(id): checkpoint missing at \(path)")
            case .mismatch: report.checkpointProblems.append("run \(id): checkpoint \(path) does not match its SHA-256")
            case .unreadable(let reason), .notTheRuns(let reason):
                report.checkpointProblems.append("run \(id): checkpoint \(path) cannot be read: \(reason)")
            }
        }
    }
    report.failedRunsChecked = runs.filter { $0.status == .failed }.count
    report.recordProblems = recordProblems
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


