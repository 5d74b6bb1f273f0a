import ArgumentParser

/// `lstmlab check`: is the archive sound?
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the archive: SQLite integrity, every checkpoint (present, readable, its SHA-256), every run's stored values against each other, orphan files, stale runs.",
        discussion: "Exits non-zero when anything is wrong.")

    @OptionGroup var archiveOptions: ArchiveOptions

    func run() throws {
        let report = try archiveOptions.openExisting().check()
        print("integrity: \(report.integrityProblems.isEmpty ? "ok" : report.integrityProblems.joined(separator: "; "))")
        print("checkpoints: \(report.finishedRunsChecked - report.checkpointProblems.count) of \(report.finishedRunsChecked) finished runs match")
        for problem in report.checkpointProblems { print("  \(problem)") }
        print("records: \(report.finishedRunsChecked) finished and \(report.failedRunsChecked) failed runs checked, "
              + "\(report.recordProblems.count) problem(s)")
        for problem in report.recordProblems { print("  \(problem)") }
        for file in report.orphanFiles { print("orphan file: \(file)") }
        for id in report.staleRunning { print("run \(id) is still marked running but its process is gone (run its experiment again to redo it)") }
        if !report.runningNow.isEmpty { print("\(report.runningNow.count) run(s) are being trained right now by another process") }
        guard report.isSound else { throw CommandFailure(message: "the archive has problems (see above)") }
        print("archive sound")
    }
}
