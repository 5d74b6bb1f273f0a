import Archive
import ArgumentParser
import Foundation
import Lab

/// `lstmlab merge SHARD… --into ARCHIVE`: joins archives (the shards of a Slurm job array, or archives made on two
/// machines) into one.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge archives (e.g. the shards of `run --shard`) into one archive.",
        discussion: """
            Each shard is merged in one transaction: its experiments, its finished and failed runs (curves, forecasts, \
            scores, provenance, bit for bit) and their checkpoints, checked against their SHA-256 before they are \
            copied. Merging a shard twice adds nothing; a run with different results in two archives is refused. \
            Runs a shard has not finished are reported, not merged. Exits 1 when a shard could not be merged or an \
            experiment still misses runs (train the missing shards, then merge again).
            """)

    @Argument(help: ArgumentHelp("The archives to merge; each is only read.", valueName: "shard"))
    var shards: [String]

    @Option(name: .long, help: ArgumentHelp("The archive to merge into (created when missing).", valueName: "path"))
    var into: String

    func run() throws {
        guard !shards.isEmpty else { throw CommandFailure(message: "name at least one archive to merge") }
        let validate = { (shard: String) in try checkExistingArchiveFile(shard, option: "shard") }
        // A new target is created only when there is something to merge into it.
        if !FileManager.default.fileExists(atPath: into), let reason = Lab.reasonNoShardIsReadable(shards, validate: validate) {
            throw CommandFailure(message: "nothing to merge: \(oneLineMessage(for: reason))")
        }
        let lab = try openOrCreateArchive(into, option: "--into")
        let report = try lab.merge(shards: shards, validate: validate) { merge in
            switch merge.outcome {
            case .success(let report):
                var line = "\(merge.shard): \(report.added) run(s) added, \(report.alreadyThere) already there"
                if report.replaced > 0 { line += ", \(report.replaced) unfinished attempt(s) replaced" }
                print(line)
                for run in report.unfinished {
                    print("  not merged, not finished in \(merge.shard): \(run)")
                }
            case .failure(let error):
                print("\(merge.shard): not merged: \(oneLineMessage(for: error))")
            }
        }
        for experiment in report.incomplete {
            print("\(experiment.experiment): \(experiment.ended) of \(experiment.expected) runs in \(into)")
        }
        let failures = report.failures
        if failures.isEmpty {
            print("\(into): every experiment complete")
            return
        }
        throw CommandFailure(message: failures.joined(separator: "; "))
    }
}
