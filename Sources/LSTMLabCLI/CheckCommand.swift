import ArgumentParser

/// `lstmlab check`: is the archive sound?
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the archive: SQLite integrity and foreign keys, every checkpoint, every record against the others, orphan files, stale runs.",
        discussion: """
            Checkpoints: present, readable, their SHA-256, the run id, seed, experiment and configuration they name, \
            and the forecasts their weights give against the stored ones. Records: each run's label, configuration, \
            training settings, repeat index (within the experiment's repeats, once per configuration) and seed \
            (derived from the experiment seed, configuration and repeat) against its experiment; known numerics \
            versions; finished runs' curves finite and as long as their epochs, scores equal to the last epoch's, \
            forecast rows of the series' test months; failed and unfinished runs without results. Exits non-zero when \
            anything is wrong, naming each problem. Values within a curve are checked by `lstmlab reproduce`, which \
            re-trains the run.
            """)

    @OptionGroup var archiveOptions: ArchiveOptions

    func run() throws {
        let report = try archiveOptions.openExisting().check()
        print("integrity: \(report.integrityProblems.isEmpty ? "ok" : report.integrityProblems.joined(separator: "; "))")
        print("foreign keys: \(report.foreignKeyProblems.isEmpty ? "ok" : report.foreignKeyProblems.joined(separator: "; "))")
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
