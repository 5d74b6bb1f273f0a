import Foundation
import Testing

import Archive
@testable import Lab

/// `lstmlab slurm` on a real single-node Slurm cluster (slurmctld, slurmd and munged, started by `make test` through
/// `scripts/slurm-cluster.sh` before the tests and stopped by their pid files after; `SLURM_CONF` names its
/// configuration): a sharded experiment merged by the merge job equals the same experiment trained in one process, and
/// a task killed mid-run and submitted again completes it.
@Suite("Slurm: job arrays of shards on a real cluster", .serialized)
struct SlurmClusterTests {
    /// The cluster's state folder and the environment its clients need (`SLURM_CONF`).
    struct Cluster {
        var state: URL
        var environment: [String: String]

        /// Runs a Slurm client command; its output.
        func run(_ command: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
            try TestSupport.runProcess(URL(fileURLWithPath: "/usr/bin/env"), [command] + arguments, in: state,
                                       environment: environment)
        }

        /// A job's state (`PENDING`, `RUNNING`, `COMPLETED`, `FAILED`, `CANCELLED`, …) from `scontrol`; for an array,
        /// one state per task.
        func states(ofJob id: String) throws -> [String] {
            let output = try run("scontrol", ["-o", "show", "job", id]).stdout
            return output.split(separator: "\n").compactMap { line in
                line.split(separator: " ").first { $0.hasPrefix("JobState=") }.map { String($0.dropFirst("JobState=".count)) }
            }
        }

        /// Waits until every task of the job has ended; its final states.
        func waitForJob(_ id: String, timeout: TimeInterval = 90) throws -> [String] {
            let deadline = Date().addingTimeInterval(timeout)
            let ended: Set<String> = ["COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL",
                                      "DEADLINE", "PREEMPTED"]
            while Date() < deadline {
                let states = try states(ofJob: id)
                if !states.isEmpty && states.allSatisfy(ended.contains) { return states }
                Thread.sleep(forTimeInterval: 0.25)
            }
            throw SlurmTestError(message: "job \(id) did not end in \(Int(timeout)) s: \(try states(ofJob: id))")
        }
    }

    struct SlurmTestError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// The cluster `make test` started (the daemons are not children of the test process, whose runtime would
    /// have to reap them), checked to answer.
    static func withCluster(_ body: (Cluster) throws -> Void) throws {
        let environment = ProcessInfo.processInfo.environment
        let configuration = try #require(environment["SLURM_CONF"],
                                         "no Slurm cluster: run the tests with `make test`, which starts one (scripts/slurm-cluster.sh)")
        let state = URL(fileURLWithPath: configuration).deletingLastPathComponent()
        let cluster = Cluster(state: state, environment: environment)
        let info = try cluster.run("sinfo", ["-h", "-o", "%T"])
        try #require(info.status == 0 && ["idle", "mixed", "allocated"].contains(info.stdout.trimmingCharacters(in: .whitespacesAndNewlines)),
                     "the Slurm cluster of \(configuration) does not answer: \(info)")
        try body(cluster)
    }

    /// Runs `lstmlab` with the cluster's environment, in `folder`.
    static func lstmlab(_ arguments: [String], in folder: URL, cluster: Cluster) throws -> (status: Int32, stdout: String, stderr: String) {
        try TestSupport.runProcess(try TestSupport.lstmlabExecutable(), arguments, in: folder, environment: cluster.environment)
    }

    /// The array and merge job ids `lstmlab slurm` printed.
    static func jobIDs(_ output: String) throws -> (array: String, merge: String) {
        let words = output.split(whereSeparator: { $0 == " " || $0 == "\n" })
        let array = words.firstIndex(of: "array").flatMap { words.indices.contains($0 + 2) ? String(words[$0 + 2]) : nil }
        let merge = words.firstIndex(of: "merge").flatMap { words.indices.contains($0 + 2) ? String(words[$0 + 2]) : nil }
        return (try #require(array, "\(output)"), try #require(merge, "\(output)"))
    }

    @Test("A sharded experiment merged by the merge job equals it trained in one process; a killed task resubmitted completes the set")
    func shardedExperimentOnACluster() throws {
        try Self.withCluster { cluster in
            let folder = try TestSupport.temporaryDirectory()
            // 1. Four shards of a small experiment, merged by the dependent job.
            let options = ["baseline", "--epochs", "60", "--repeats", "8", "--seed", "41"]
            let submitted = try Self.lstmlab(["slurm"] + options + ["--shards", "4", "--archive", "merged.sqlite"], in: folder, cluster: cluster)
            try #require(submitted.status == 0, "\(submitted)")
            let (array, merge) = try Self.jobIDs(submitted.stdout)
            #expect(try cluster.waitForJob(array) == Array(repeating: "COMPLETED", count: 4))
            #expect(try cluster.waitForJob(merge) == ["COMPLETED"])
            let single = try Self.lstmlab(["run"] + options + ["--archive", "single.sqlite", "--quiet"], in: folder, cluster: cluster)
            try #require(single.status == 0, "\(single)")
            let diff = try Self.lstmlab(["diff", "single.sqlite", "merged.sqlite"], in: folder, cluster: cluster)
            #expect(diff.status == 0 && diff.stdout.contains("identical: 1 experiment(s), 8 run(s), 8 checkpoint(s)"), "\(diff)")
            // Every shard ran on the node, each run recording its own provenance.
            for run in try Lab.reading(archive: folder.appendingPathComponent("merged.sqlite").path).store.runs() {
                #expect(run.engine.hasPrefix("numerics ") && !run.host.isEmpty)
            }

            // 2. Task 2 of a longer experiment is killed mid-run (kill -9, as a node failure would): the merge job,
            // which needs every task, is cancelled; task 2 submitted again skips nothing it finished, redoes the rest,
            // and its new merge job completes the set, equal to the experiment trained in one process.
            let longer = ["baseline", "--name", "long", "--epochs", "1500", "--repeats", "8", "--seed", "43"]
            let first = try Self.lstmlab(["slurm"] + longer + ["--shards", "4", "--archive", "long.sqlite"], in: folder, cluster: cluster)
            try #require(first.status == 0, "\(first)")
            let (longArray, longMerge) = try Self.jobIDs(first.stdout)
            let shard2 = folder.appendingPathComponent("long.sqlite.shards/shard-2.sqlite").path
            let deadline = Date().addingTimeInterval(60)
            var killed = false
            while !killed && Date() < deadline {
                // Mid-run: task 2 has begun its runs (they are `running` in its shard) and is training them.
                if let runs = try? Lab.reading(archive: shard2).store.runs(), runs.contains(where: { $0.status == .running }) {
                    let pids = try TestSupport.runProcess(URL(fileURLWithPath: "/usr/bin/pgrep"), ["-f", "--", shard2], in: folder)
                    for pid in pids.stdout.split(separator: "\n").compactMap({ Int32($0) }) {
                        killed = kill(pid, SIGKILL) == 0 || killed
                    }
                }
                if !killed { Thread.sleep(forTimeInterval: 0.05) }
            }
            try #require(killed, "task 2 was never seen training")
            let states = try cluster.waitForJob(longArray)
            #expect(states.filter { $0 == "COMPLETED" }.count == 3 && states.contains("FAILED"), "\(states)")
            #expect(try cluster.waitForJob(longMerge) == ["CANCELLED"], "the merge waits for every task")
            let unfinished = try Lab.reading(archive: shard2).store.runs()
            #expect(unfinished.contains { $0.status == .running }, "the killed task left its runs unfinished")
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("long.sqlite").path))

            let retry = try Self.lstmlab(["slurm"] + longer + ["--shards", "4", "--archive", "long.sqlite", "--tasks", "2"],
                                         in: folder, cluster: cluster)
            try #require(retry.status == 0, "\(retry)")
            let (retryArray, retryMerge) = try Self.jobIDs(retry.stdout)
            #expect(try cluster.waitForJob(retryArray) == ["COMPLETED"])
            #expect(try cluster.waitForJob(retryMerge) == ["COMPLETED"])
            let longSingle = try Self.lstmlab(["run"] + longer + ["--archive", "long-single.sqlite", "--quiet"], in: folder, cluster: cluster)
            try #require(longSingle.status == 0, "\(longSingle)")
            let longDiff = try Self.lstmlab(["diff", "long-single.sqlite", "long.sqlite"], in: folder, cluster: cluster)
            #expect(longDiff.status == 0 && longDiff.stdout.contains("identical: 1 experiment(s), 8 run(s)"), "\(longDiff)")
            let log = try String(contentsOf: folder.appendingPathComponent("long.sqlite.shards/logs/merge-\(retryMerge).out"), encoding: .utf8)
            #expect(log.contains("every experiment complete"), "\(log)")
        }
    }
}
