import Experiment
import Foundation
import Synchronization
import TimeSeries

/// What an archived experiment did.
public struct ArchivedExperimentOutcome: Sendable {
    public var experiment: ExperimentRecord
    /// Runs already finished in the archive before this call.
    public var skipped: Int
    /// Runs trained (finished or failed) by this call, in task order.
    public var trained: [RunResult]
    /// Runs left undone because of an interruption.
    public var notStarted: Int
    public var interrupted: Bool
}

/// Trains an experiment into an archive: finished runs are skipped, unfinished or failed ones redone, and each run
/// is recorded as `running` when it starts and archived (checkpoint, then rows in one transaction) as it ends.
/// When `shouldStop` becomes true, runs in flight finish and are archived, and no new run starts; any run still
/// marked `running` by this call (e.g. after an error) is marked `interrupted`.
public func runArchivedExperiment(
    _ spec: ExperimentSpec, series: Series, store: ArchiveStore, jobs: Int, snapshotInterval: Int?,
    shouldStop: @escaping @Sendable () -> Bool = { false },
    onRunArchived: @escaping @Sendable (RunResult, Int64) -> Void = { _, _ in }
) throws -> ArchivedExperimentOutcome {
    try spec.validate()
    let trainer = try Trainer(series: series, training: spec.training, snapshotInterval: snapshotInterval)
    let experiment = try store.registerExperiment(spec, series: series, provenance: .current())
    let experimentID = experiment.id!
    let finished = try store.finishedRunKeys(experimentID: experimentID)
    let tasks = spec.runs.filter { !finished.contains(RunKey($0)) }
    let runIDs = Mutex([Int: Int64]())
    let inFlight = Mutex(Set<Int64>())
    let runner = Runner(trainer: trainer, jobs: jobs)
    var results: [RunResult?] = []
    do {
        results = try runner.run(
            tasks, shouldStop: shouldStop,
            onStart: { index in
                let id = try store.beginRun(tasks[index], experimentID: experimentID)
                runIDs.withLock { $0[index] = id }
                inFlight.withLock { _ = $0.insert(id) }
            },
            onFinished: { index, result in
                let id = runIDs.withLock { $0[index]! }
                try store.finishRun(id: id, result: result)
                inFlight.withLock { _ = $0.remove(id) }
                onRunArchived(result, id)
            })
    } catch {
        try? store.markInterrupted(runIDs: Array(inFlight.withLock { $0 }))
        throw error
    }
    try store.markInterrupted(runIDs: Array(inFlight.withLock { $0 }))
    let trained = results.compactMap { $0 }
    return ArchivedExperimentOutcome(
        experiment: experiment, skipped: spec.runs.count - tasks.count, trained: trained,
        notStarted: tasks.count - trained.count, interrupted: trained.count < tasks.count)
}
