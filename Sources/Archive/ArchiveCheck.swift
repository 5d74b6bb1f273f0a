import Foundation

/// What `check` found wrong in an archive; empty when sound.
public struct ArchiveCheckReport: Sendable {
    /// `PRAGMA integrity_check` lines other than `ok`.
    public var integrityProblems: [String] = []
    /// Finished runs whose checkpoint is missing or does not match its recorded SHA-256.
    public var checkpointProblems: [String] = []
    /// Files under `checkpoints/` that no finished run refers to.
    public var orphanFiles: [String] = []
    /// Runs still marked `running` (stale unless an experiment is in progress).
    public var staleRunning: [Int64] = []
    public var finishedRunsChecked = 0

    public var isSound: Bool {
        integrityProblems.isEmpty && checkpointProblems.isEmpty && orphanFiles.isEmpty && staleRunning.isEmpty
    }
}

/// Checks the database's integrity, every finished run's checkpoint against its SHA-256, and lists orphan
/// checkpoint files and runs left `running`.
public func checkArchive(_ store: ArchiveStore) throws -> ArchiveCheckReport {
    var report = ArchiveCheckReport()
    report.integrityProblems = try store.integrityCheck().filter { $0 != "ok" }
    var referenced = Set<String>()
    for run in try store.runs(status: .finished) {
        report.finishedRunsChecked += 1
        guard let (path, state) = store.checkpointState(of: run) else { continue }
        referenced.insert(URL(fileURLWithPath: path).standardizedFileURL.path)
        switch state {
        case .matches: break
        case .missing: report.checkpointProblems.append("run \(run.id!): checkpoint missing at \(path)")
        case .mismatch: report.checkpointProblems.append("run \(run.id!): checkpoint \(path) does not match its SHA-256")
        case .unreadable(let reason):
            report.checkpointProblems.append("run \(run.id!): checkpoint \(path) cannot be read: \(reason)")
        }
    }
    report.staleRunning = try store.runs(status: .running).map { $0.id! }
    if let files = FileManager.default.enumerator(atPath: store.checkpointsDirectory) {
        for case let relative as String in files {
            let path = URL(fileURLWithPath: store.checkpointsDirectory).appendingPathComponent(relative)
                .standardizedFileURL.path
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            if !isDirectory.boolValue && !referenced.contains(path) { report.orphanFiles.append(path) }
        }
    }
    report.orphanFiles.sort()
    return report
}
