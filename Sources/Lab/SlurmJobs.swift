import Archive
import Experiment
import Foundation
import TimeSeries

/// Experiments sharded over a Slurm job array: one array task per shard, each training its shard of every
/// experiment into its own archive (`<archive>.shards/shard-K.sqlite`; SQLite is never shared between hosts), and a
/// merge job, run once every task has succeeded, that joins the shards into the archive.
public struct SlurmJobs: Sendable {
    public var specs: [ExperimentSpec]
    public var series: Series
    /// `--header` for a CSV series when it was not `auto`.
    public var headerOption: String?
    /// `--checkpoint-every` of each run (0: no snapshots).
    public var checkpointEvery: Int
    public var shardCount: Int
    public var archive: String
    public var partition: String?
    public var timeLimit: String?
    public var cpusPerTask: Int
    /// The `lstmlab` the tasks run, by absolute path.
    public var program: String
    /// Where the tasks start (relative paths of the command resolve from here).
    public var workingDirectory: String

    public init(specs: [ExperimentSpec], series: Series, headerOption: String?, checkpointEvery: Int, shardCount: Int,
                archive: String, partition: String?, timeLimit: String?, cpusPerTask: Int, program: String,
                workingDirectory: String) throws {
        _ = try Shard(index: 0, count: shardCount)
        if let partition, partition.isEmpty || !partition.allSatisfy({ $0.isLetter || $0.isNumber || "_-.".contains($0) }) {
            throw ExperimentError.invalidValue(name: "--partition", value: partition, allowed: "a Slurm partition name (letters, digits, _ - .)")
        }
        if let timeLimit, !Self.isTimeLimit(timeLimit) {
            throw ExperimentError.invalidValue(name: "--time", value: timeLimit,
                                               allowed: "a Slurm time limit: MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS")
        }
        for (what, path) in [("--archive", archive), ("the working folder", workingDirectory), ("lstmlab's path", program),
                             ("--data", series.sourcePath ?? "")] {
            // Slurm reads `#SBATCH` lines itself: a line break would end them (and start a command), `%` is its file
            // name pattern, and it takes backslashes and quotes as escapes even inside quotes.
            if let bad = path.unicodeScalars.first(where: { $0.value < 0x20 || $0.value == 0x7f || "%\\'\"".unicodeScalars.contains($0) }) {
                throw SlurmError(message: "\(what) \(oneLine(path)) holds \(bad.value < 0x20 || bad.value == 0x7f ? "a control character" : "'\(bad)'"), "
                                 + "which a Slurm batch script cannot carry; use a path without it")
            }
        }
        guard (1...1024).contains(cpusPerTask) else {
            throw ExperimentError.outOfRange(name: "--cpus-per-task", value: "\(cpusPerTask)", range: "1 to 1024")
        }
        self.specs = specs
        self.series = series
        self.headerOption = headerOption
        self.checkpointEvery = checkpointEvery
        self.shardCount = shardCount
        self.archive = URL(fileURLWithPath: archive, relativeTo: URL(fileURLWithPath: workingDirectory)).standardizedFileURL.path
        self.partition = partition
        self.timeLimit = timeLimit
        self.cpusPerTask = cpusPerTask
        self.program = program
        self.workingDirectory = workingDirectory
        let length = mergeCommand.utf8.count
        guard length <= Self.mergeCommandLimit else {
            throw SlurmError(message: "--shards \(shardCount) makes a merge command of \(formatByteCount(length)), more than the "
                             + "\(formatByteCount(Self.mergeCommandLimit)) a command line carries safely; use at most "
                             + "\(largestShardCount) shards")
        }
    }

    /// The most bytes the merge job's command line may hold: Linux takes at most 2 MB of arguments and environment
    /// for a program it starts, and the job's environment needs its share.
    public static let mergeCommandLimit = 1 << 20

    /// The most shards whose merge command fits in `mergeCommandLimit`.
    var largestShardCount: Int {
        var length = "\(shellQuoted(program)) merge --into \(shellQuoted(archive))".utf8.count
        var count = 0
        while true {
            length += shellQuoted(shardPath(count)).utf8.count + 1
            if length > Self.mergeCommandLimit { return count }
            count += 1
        }
    }

    /// Refuses, before anything is submitted, a merged archive the merge job could not merge into: a folder, a file
    /// that is not an lstmlab archive or is of a newer one, one this user may not write, or one holding an
    /// experiment of the same name with other settings or series (`ArchiveStore.checkCanRegister`). A missing
    /// archive passes (the merge creates it).
    public func checkTarget() throws {
        guard FileManager.default.fileExists(atPath: archive) else { return }
        let pending = try ArchiveStore.pendingMigrations(path: archive)
        let folder = URL(fileURLWithPath: archive).deletingLastPathComponent().path
        for path in [archive, folder] where Foundation.access(path, W_OK) != 0 {
            throw ArchiveError.permissionDenied(path: path, doing: "write the merged archive")
        }
        // An archive of an older schema is upgraded by the merge; its experiments are compared once it is.
        guard pending.isEmpty else { return }
        let store = try ArchiveStore(path: archive, access: .read)
        for spec in specs { try store.checkCanRegister(spec, series: series) }
    }

    /// Slurm's time formats: minutes, minutes:seconds, hours:minutes:seconds, days-hours, days-hours:minutes,
    /// days-hours:minutes:seconds.
    static func isTimeLimit(_ text: String) -> Bool {
        if ["unlimited", "infinite"].contains(text.lowercased()) { return true }
        func numbers(_ part: Substring, _ counts: ClosedRange<Int>) -> Bool {
            let fields = part.split(separator: ":", omittingEmptySubsequences: false)
            return counts.contains(fields.count)
                && fields.allSatisfy { !$0.isEmpty && $0.count <= 6 && $0.allSatisfy { ("0"..."9").contains($0) } }
        }
        let dayParts = text.split(separator: "-", omittingEmptySubsequences: false)
        switch dayParts.count {
        case 1: return numbers(dayParts[0], 1...3)
        case 2: return numbers(dayParts[0], 1...1) && numbers(dayParts[1], 1...3)
        default: return false
        }
    }

    /// The folder beside the archive holding the shards, the batch scripts and the tasks' logs.
    public var shardsDirectory: String { archive + ".shards" }

    public func shardPath(_ index: Int) -> String { "\(shardsDirectory)/shard-\(index).sqlite" }

    public var arrayScriptPath: String { "\(shardsDirectory)/array.sbatch" }
    public var mergeScriptPath: String { "\(shardsDirectory)/merge.sbatch" }

    private var jobName: String { "lstmlab-" + URL(fileURLWithPath: archive).deletingPathExtension().lastPathComponent }

    private func directives(name: String, output: String, cpus: Int) -> [String] {
        var lines = ["#SBATCH --job-name=\(shellQuoted(name))", "#SBATCH --output=\(shellQuoted(output))",
                     "#SBATCH --chdir=\(shellQuoted(workingDirectory))", "#SBATCH --cpus-per-task=\(cpus)", "#SBATCH --ntasks=1"]
        if let partition { lines.append("#SBATCH --partition=\(partition)") }
        if let timeLimit { lines.append("#SBATCH --time=\(timeLimit)") }
        return lines
    }

    /// The job array's script: task K trains shard K of every experiment into its own archive, on
    /// `SLURM_CPUS_PER_TASK` cores. Run again, a task skips its finished runs and redoes an interrupted one.
    public var arrayScript: String {
        var lines = ["#!/bin/bash", "# Shard $SLURM_ARRAY_TASK_ID of \(shardCount): written by `lstmlab slurm`."]
        lines += directives(name: jobName, output: "\(shardsDirectory)/logs/shard-%a.out", cpus: cpusPerTask)
        lines.append("#SBATCH --array=0-\(shardCount - 1)")
        lines += ["set -euo pipefail", "shard=\"$SLURM_ARRAY_TASK_ID\"", ""]
        for spec in specs {
            var command = recreateCommand(spec, series: series, program: shellQuoted(program))
            if let headerOption { command += " --header \(headerOption)" }
            // --take-over: a retried task redoes what its first attempt, dead with its node, left running.
            command += " --checkpoint-every \(checkpointEvery) --shard \"$shard/\(shardCount)\" --take-over"
                + " --archive \(shellQuoted(shardsDirectory))/shard-\"$shard\".sqlite --jobs \"${SLURM_CPUS_PER_TASK:-1}\" --quiet"
            lines.append(command)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The merge job's script: joins every shard into the archive; fails (exit 1) when a shard is missing or
    /// incomplete.
    public var mergeScript: String {
        var lines = ["#!/bin/bash", "# Merges the \(shardCount) shards: written by `lstmlab slurm`."]
        lines += directives(name: jobName + "-merge", output: "\(shardsDirectory)/logs/merge-%j.out", cpus: 1)
        lines += ["set -euo pipefail", ""]
        lines.append(mergeCommand)
        return lines.joined(separator: "\n") + "\n"
    }

    /// The merge job's command: every shard into the archive.
    var mergeCommand: String {
        let shards = (0..<shardCount).map { shellQuoted(shardPath($0)) }.joined(separator: " ")
        return "\(shellQuoted(program)) merge \(shards) --into \(shellQuoted(archive))"
    }

    /// The `sbatch` arguments that submit the array (only `tasks` when given, e.g. to retry a failed one) and then
    /// the merge job, which runs once every submitted task has succeeded (`ARRAY` stands for the array's job id) and
    /// every task of the arrays submitted before has ended (`earlierArrays`), so a retry's merge joins the whole set.
    public func submissionArguments(tasks: [Int]?, earlierArrays: [String] = []) -> (array: [String], merge: [String]) {
        var array = ["--parsable"]
        if let tasks { array.append("--array=" + tasks.map(String.init).joined(separator: ",")) }
        array.append(arrayScriptPath)
        let dependency = (["afterok:ARRAY"] + earlierArrays.map { "afterany:\($0)" }).joined(separator: ",")
        return (array, ["--parsable", "--dependency=\(dependency)", "--kill-on-invalid-dep=yes", mergeScriptPath])
    }

    /// The job ids of the arrays submitted for these shards, one per line, oldest first.
    public var submittedArraysPath: String { "\(shardsDirectory)/array-jobs.txt" }

    /// The arrays a retry of `tasks` must wait for: those submitted before (none when submitting every task).
    public func earlierArrays(tasks: [Int]?) -> [String] {
        guard tasks != nil else { return [] }
        return ((try? String(contentsOfFile: submittedArraysPath, encoding: .utf8)) ?? "")
            .split(separator: "\n").map(String.init).filter { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
    }

    /// Writes the scripts (and the logs folder) beside the archive.
    public func writeScripts() throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: shardsDirectory, isDirectory: &isFolder), !isFolder.boolValue {
            throw SlurmError(message: "\(shardsDirectory), where the shards and scripts go, is a file, not a folder")
        }
        try OutputFiles.checkOutputFolder(shardsDirectory, option: "the shards folder", archive: archive)
        try FileManager.default.createDirectory(atPath: "\(shardsDirectory)/logs", withIntermediateDirectories: true)
        for (path, text) in [(arrayScriptPath, arrayScript), (mergeScriptPath, mergeScript)] {
            try OutputFiles.writeOutputFile(Data(text.utf8), to: path, option: "the batch script", archive: archive)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }
    }

    /// Writes the scripts, submits the array (or only `tasks`) and the merge job after it; returns their job ids.
    /// When only some tasks are submitted, the merge also waits for the arrays submitted before to end.
    public func submit(tasks: [Int]?) throws -> (array: String, merge: String) {
        if let tasks, let bad = tasks.first(where: { !(0..<shardCount).contains($0) }) {
            throw ExperimentError.invalidValue(name: "--tasks", value: "\(bad)", allowed: "shard indices from 0 to \(shardCount - 1)")
        }
        guard Self.sbatchIsInstalled else {
            throw SlurmError(message: "sbatch was not found on the PATH: install Slurm's client commands, or use --dry-run")
        }
        try writeScripts()
        let earlier = earlierArrays(tasks: tasks)
        let arguments = submissionArguments(tasks: tasks, earlierArrays: earlier)
        let array = try Self.sbatch(arguments.array)
        let record = (tasks == nil ? [] : earlier) + [array]
        try OutputFiles.writeOutputFile(Data((record.joined(separator: "\n") + "\n").utf8), to: submittedArraysPath,
                                        option: "the list of submitted arrays", archive: archive)
        let mergeArguments = arguments.merge.map { $0.replacingOccurrences(of: "ARRAY", with: array) }
        do {
            return (array, try Self.sbatch(mergeArguments))
        } catch {
            throw SlurmError(message: "array job \(array) was submitted but its merge job was not (\(error)); submit it with "
                             + "`sbatch \(mergeArguments.map(shellQuoted).joined(separator: " "))`")
        }
    }

    /// Whether `sbatch` is on the PATH.
    static var sbatchIsInstalled: Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/sbatch") }
    }

    /// Runs `sbatch --parsable …` (`submit` has checked that it is installed); returns the job id (the part before any
    /// `;cluster`).
    static func sbatch(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sbatch"] + arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw SlurmError(message: "cannot start sbatch: \(error)")
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SlurmError(message: "sbatch failed: " + oneLine(message.trimmingCharacters(in: .whitespacesAndNewlines), limit: 300))
        }
        guard let id = text.split(separator: "\n").first?.split(separator: ";").first.map(String.init),
              !id.isEmpty, id.allSatisfy(\.isNumber) else {
            throw SlurmError(message: "sbatch printed no job id: \(oneLine(text, limit: 200))")
        }
        return id
    }
}

/// Slurm refused or could not be reached.
public struct SlurmError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
