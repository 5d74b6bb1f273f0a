import ArgumentParser
import Experiment
import Foundation
import Lab
import TimeSeries

/// `lstmlab slurm PRESET… --shards N`: trains experiments on a Slurm cluster as a job array of shards, then merges
/// them into one archive.
struct SlurmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurm",
        abstract: "Train experiments on a Slurm cluster: a job array of --shards tasks, then a job that merges them.",
        discussion: """
            Array task K runs `lstmlab run … --shard K/N` on --cpus-per-task cores into its own archive, \
            <archive>.shards/shard-K.sqlite (SQLite is never shared between hosts); the merge job, submitted with \
            --dependency=afterok on the array, joins them into --archive. The scripts and the tasks' logs are kept in \
            <archive>.shards/. A failed or killed task: submit it again with the same command and --tasks K; it \
            skips its finished runs, and a new merge job completes the set.
            """)

    @OptionGroup var experiment: ExperimentOptions

    @Option(name: .long, help: ArgumentHelp("The merged archive's SQLite file; the shards live in <file>.shards/ beside it.",
                                            valueName: "path"))
    var archive = Lab.defaultArchivePath

    @Option(name: .long, help: "Number of array tasks, each training one shard of every experiment.")
    var shards: Int

    @Option(name: .long, help: "The Slurm partition to run in (default: the cluster's default).")
    var partition: String?

    @Option(name: .long, help: "Each task's time limit, in Slurm's format (e.g. 30, 1:00:00, 1-0).")
    var time: String?

    @Option(name: .customLong("cpus-per-task"), help: "Cores of each task; its training jobs (--jobs) follow them.")
    var cpusPerTask = 1

    @Option(name: .long, help: ArgumentHelp("Submit only these array tasks, comma-separated (e.g. to retry a failed one), "
                                            + "and a new merge job after them.", valueName: "K,…"))
    var tasks: String?

    @Flag(name: .customLong("dry-run"), help: "Print the batch scripts and the sbatch commands instead of writing and submitting them.")
    var dryRun = false

    func run() throws {
        guard experiment.experimentFiles.isEmpty else {
            throw CommandFailure(message: "slurm trains presets and ad-hoc configurations, not experiment files "
                                 + "(\(oneLine(experiment.experimentFiles[0]))); run the file with `lstmlab run --shard K/N` in your own batch script")
        }
        let (plans, series) = try experiment.plans(jobs: cpusPerTask)
        let data = experiment.dataOptions
        try checkArchiveFile(archive, option: "--archive")
        let taskList = try tasks.map(parseTasks)
        let jobs = try SlurmJobs(
            specs: plans.map(\.spec), series: series, headerOption: data.data != nil && data.header != .auto ? data.header.rawValue : nil,
            checkpointEvery: ExperimentValues(checkpointEvery: experiment.checkpointEvery).resolvedCheckpointEvery, shardCount: shards, archive: archive, partition: partition, timeLimit: time,
            cpusPerTask: cpusPerTask, program: Self.thisProgram, workingDirectory: FileManager.default.currentDirectoryPath)
        try jobs.checkTarget()
        if dryRun {
            let arguments = jobs.submissionArguments(tasks: taskList, earlierArrays: jobs.earlierArrays(tasks: taskList))
            print("# \(jobs.arrayScriptPath)")
            print(jobs.arrayScript)
            print("# \(jobs.mergeScriptPath)")
            print(jobs.mergeScript)
            print("# submitted with:")
            print((["sbatch"] + arguments.array).map(shellQuoted).joined(separator: " "))
            print((["sbatch"] + arguments.merge).map(shellQuoted).joined(separator: " ")
                .replacingOccurrences(of: "ARRAY", with: "<array job id>"))
            return
        }
        try checkWritableDirectory(URL(fileURLWithPath: jobs.archive).deletingLastPathComponent().path, option: "--archive",
                                   for: archive)
        let submitted = try jobs.submit(tasks: taskList)
        let which = taskList.map { "task(s) \($0.map(String.init).joined(separator: ","))" } ?? "\(shards) task(s)"
        print("array job \(submitted.array) (\(which)) and merge job \(submitted.merge) after it")
        print("shards and logs in \(jobs.shardsDirectory)/; the merged archive will be \(jobs.archive)")
        print("a task that fails: submit it again with this command and --tasks K")
    }

    /// `2` or `0,3`: array task indices.
    private func parseTasks(_ text: String) throws -> [Int] {
        let indices = text.split(separator: ",", omittingEmptySubsequences: false).map { word in
            word.count <= 9 && word.allSatisfy { ("0"..."9").contains($0) } ? Int(word) : nil
        }
        guard !indices.isEmpty, indices.allSatisfy({ $0 != nil && (0..<shards).contains($0!) }) else {
            throw CommandFailure(message: "--tasks takes array task indices from 0 to \(shards - 1), comma-separated; got '\(oneLine(text))'")
        }
        return Array(Set(indices.map { $0! })).sorted()
    }

    /// This `lstmlab`, by absolute path, for the batch scripts.
    static var thisProgram: String {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        if executable != "/proc/self/exe" { return executable }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }
}
