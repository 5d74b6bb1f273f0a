import Archive
import ArgumentParser
import Experiment
import Foundation
import Lab
import NeuralNetwork
import TimeSeries

/// `lstmlab-benchmark`: wall-clock figures of the engine, as medians of repeated measurements (release build).
struct Benchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lstmlab-benchmark",
        abstract: "Time one 1000-epoch run and the study's 390 runs; print medians of repeated measurements.")

    @Option(name: .long, help: "Measurements of each figure; the median is reported.")
    var samples = 5

    @Option(name: .long, help: "Runs timed back to back in one single-run measurement (the per-run time is their mean).")
    var runsPerSample = 20

    @Option(name: .long, help: "Jobs for the study measurement.")
    var jobs = 2

    @Option(name: .long, help: "Epochs per run.")
    var epochs = 1000

    @Option(name: .long, help: ArgumentHelp("The engine's compilation for the study measurements: \(LaneKernel.allCases.map(\.rawValue).joined(separator: ", ")) (default: the widest this CPU runs, \(LaneKernel.widest.rawValue)).", valueName: "kernel"))
    var lanes: LaneKernel = .widest

    @Option(name: .long, help: ArgumentHelp("Folder for the archives the benchmark writes (default: the system's temporary folder); a folder where thousands of files were just deleted makes creating files slower.", valueName: "path"))
    var scratch: String?

    @Flag(name: .long, help: "Keep the archives written in the scratch folder (remove them later): deleting thousands of files just before the next measurement makes creating files slower on some file systems.")
    var keep = false

    @Flag(name: .long, help: "Also time the study written to a fresh archive (every epoch row, every checkpoint).")
    var archive = false

    @Flag(name: .long, help: "Only the single-run figures (e.g. to count instructions under valgrind).")
    var singleRunOnly = false

    @Flag(name: .long, help: "Only time archiving itself: one finished run archived 390 times (no training).")
    var archiveOnly = false

    @Option(name: .long, help: ArgumentHelp("Only time `lstmlab serve` over this archive (e.g. the full study's): each endpoint's median over --samples requests.", valueName: "archive"))
    var serve: String?

    var scratchFolder: URL { scratch.map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory }

    func run() throws {
        if let serve { return try ServeBenchmark(archive: serve, samples: samples).run() }
        let series = Series.shampooSales()
        if archiveOnly { return try benchmarkArchivingAlone(series: series) }
        for profile in KerasProfile.allCases {
            let training = TrainingSettings(profile: profile, epochs: epochs)
            let trainer = try Trainer(series: series, training: training)
            let tasks = Preset.input.experiment(seed: 1, repeats: runsPerSample, training: training).runs
            let perRun = try median((0..<samples).map { _ in
                try seconds { for task in tasks.prefix(runsPerSample) { _ = try trainer.train(task) } } / Double(runsPerSample)
            })
            print("one run, \(epochs) epochs, \(profile.name), 1 thread: median \(milliseconds(perRun)) per run")
            for kernel in LaneKernel.allCases where kernel.isSupported {
                let perVector = try median((0..<samples).map { _ in
                    try seconds { for task in tasks.prefix(runsPerSample) { _ = try trainer.train(lanes: Array(repeating: task, count: kernel.laneCount), kernel: kernel) } } / Double(runsPerSample)
                })
                print("  one vector of \(kernel.laneCount) runs (\(kernel.rawValue)), \(profile.name): median \(milliseconds(perVector)), \(milliseconds(perVector / Double(kernel.laneCount))) per run")
            }
        }
        if singleRunOnly { return }
        for profile in KerasProfile.allCases {
            let training = TrainingSettings(profile: profile, epochs: epochs)
            let trainer = try Trainer(series: series, training: training)
            let tasks = Preset.study.flatMap { $0.experiment(seed: 1, repeats: 30, training: training).runs }
            let runner = Runner(trainer: trainer, jobs: jobs, kernel: lanes)
            let wall = try median((0..<max(1, samples / 2)).map { _ in try seconds { _ = try runner.run(tasks) } })
            print("study, \(tasks.count) runs, \(profile.name), \(jobs) jobs, \(lanes.rawValue) (\(lanes.laneCount) lanes): median "
                  + "\(String(format: "%.3f s", wall)) wall")
        }
        try benchmarkFamily(series: series)
        if archive { try benchmarkArchive(series: series) }
    }

    /// The study family (every sister study's preset, both profiles, their own settings and repeats) in memory.
    func benchmarkFamily(series: Series) throws {
        let specs = StudyPlan(presets: Preset.family).specs
        var trainers: [Trainer] = []
        for training in specs.flatMap(\.trainingSettings) where !trainers.contains(where: { $0.dataset.options == training.framing }) {
            trainers.append(try Trainer(series: series, training: training))
        }
        let tasks = specs.flatMap(\.runs)
        let runner = Runner(trainers: trainers, jobs: jobs, kernel: lanes)
        let epochs = tasks.reduce(0) { $0 + $1.configuration.training.epochs }
        let wall = try median((0..<max(1, samples / 2)).map { _ in try seconds { _ = try runner.run(tasks) } })
        print("family, \(specs.count) experiments, \(tasks.count) runs, \(epochs) run-epochs, both profiles, \(jobs) jobs, "
              + "\(lanes.rawValue): median \(String(format: "%.3f s", wall)) wall")
    }

    /// The archive's own cost per run: the same finished run archived again and again (no training).
    func benchmarkArchivingAlone(series: Series) throws {
        let training = TrainingSettings(profile: .keras2, epochs: epochs)
        let trainer = try Trainer(series: series, training: training, snapshotInterval: 100)
        let directory = scratchFolder.appendingPathComponent("lstmlab-bench-archive-only-\(ProcessInfo.processInfo.processIdentifier)")
        let store = try ArchiveStore(path: directory.appendingPathComponent("archive.sqlite").path, create: true)
        let spec = Preset.input.experiment(seed: 1, repeats: 30, training: training)
        let experiment = try store.registerExperiment(spec, series: series, provenance: .current())
        let result = try trainer.train(spec.runs[0])
        let cpuStart = clock()
        var checkpointTime = 0.0, rowsTime = 0.0
        let archiveOnly = try seconds {
            for repeatIndex in 0..<390 {
                var task = result.task
                task.repeatIndex = repeatIndex
                guard let id = try store.beginRun(task, experimentID: experiment.id!) else { continue }
                var written: [Int64: ArchiveStore.WrittenCheckpoint] = [:]
                checkpointTime += try seconds { written = try store.writeCheckpoints([(id, result)]) }
                rowsTime += try seconds { try store.commitRuns([(id, result)], checkpoints: written) }
            }
        }
        let cpu = Double(clock() - cpuStart) / Double(CLOCKS_PER_SEC)
        if !keep { try? FileManager.default.removeItem(at: directory) }
        print("archiving alone (checkpoint + rows), 1 thread: \(milliseconds(archiveOnly / 390.0)) per run wall, "
              + "\(milliseconds(cpu / 390.0)) CPU; checkpoint file \(milliseconds(checkpointTime / 390.0)), "
              + "rows \(milliseconds(rowsTime / 390.0))")
    }

    /// The keras2 study in memory and into a fresh archive, alternating so both see the same machine load.
    func benchmarkArchive(series: Series) throws {
        let training = TrainingSettings(profile: .keras2, epochs: epochs)
        let trainer = try Trainer(series: series, training: training, snapshotInterval: 100)
        let specs = Preset.study.map { $0.experiment(seed: 1, repeats: 30, training: training) }
        let tasks = specs.flatMap(\.runs)
        let runner = Runner(trainer: trainer, jobs: jobs)
        var memory: [Double] = [], archived: [Double] = []
        var size = 0
        // Every sample archives into a new folder; the folders are removed only at the end, so that no sample
        // creates its files right after thousands were deleted (which slows the file system's inode allocation).
        var directories: [URL] = []
        defer { if !keep { for directory in directories { try? FileManager.default.removeItem(at: directory) } } }
        for sample in 0..<max(1, samples / 2) {
            if sample % 2 == 0 { memory.append(try seconds { _ = try runner.run(tasks) }) }
            let directory = scratchFolder
                .appendingPathComponent("lstmlab-bench-\(ProcessInfo.processInfo.processIdentifier)-\(sample)")
            directories.append(directory)
            let plans = try specs.map { try ExperimentPlan(spec: $0, series: series, snapshotInterval: 100) }
            do {
                let lab = try Lab.writing(archive: directory.appendingPathComponent("archive.sqlite").path)
                archived.append(try seconds {
                    for plan in plans { _ = try lab.run(plan, jobs: jobs) }
                })
            }
            // Measured once the archive is closed (its write-ahead log checkpointed into the database).
            size = directorySize(directory)
            if sample % 2 == 1 { memory.append(try seconds { _ = try runner.run(tasks) }) }
        }
        try benchmarkArchivingAlone(series: series)
        let ratio = median(archived) / median(memory)
        print("study, \(tasks.count) runs, keras2, \(jobs) jobs: in memory median \(String(format: "%.2f s", median(memory))), "
              + "archived median \(String(format: "%.2f s", median(archived))), ratio \(String(format: "%.2f", ratio)); "
              + "archive size \(String(format: "%.1f MB", Double(size) / 1e6)), "
              + "\(String(format: "%.1f KB", Double(size) / 1e3 / Double(tasks.count))) per run")
    }
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func directorySize(_ directory: URL) -> Int {
    guard let files = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.fileSizeKey]) else { return 0 }
    var total = 0
    for case let url as URL in files { total += (try? url.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0 }
    return total
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

func milliseconds(_ value: Double) -> String { String(format: "%.2f ms", value * 1000) }

Benchmark.main()

extension LaneKernel: ExpressibleByArgument {}
