import Archive
import Dispatch
import Experiment
import Foundation
import Synchronization

/// What an archived experiment did.
public struct ExperimentRunOutcome: Sendable {
    public var experiment: ExperimentRecord
    /// Runs already finished in the archive before this call.
    public var skipped: Int
    /// Runs trained (finished or failed) by this call, in task order.
    public var trained: [RunResult]
    /// Runs left undone because of an interruption.
    public var notStarted: Int
    /// Runs skipped because another process was training them (or finished them meanwhile).
    public var heldElsewhere: Int
    public var interrupted: Bool

    /// Whether every run of the experiment is now finished or failed in the archive by this or an earlier call
    /// (none left to another process or to an interruption).
    public var isComplete: Bool { !interrupted && heldElsewhere == 0 }
}

extension Lab {
    /// Trains an experiment into an archive: finished runs are skipped, unfinished or failed ones redone. Each run is
    /// recorded as `running` when it starts and archived (checkpoint, then its rows in one transaction) when it ends.
    ///
    /// The archiving happens on one writer queue, in order, while the workers go on training: a worker waits only for
    /// the short transaction that marks its next run `running`, or when `jobs` finished runs are already queued (so a
    /// crash loses at most the runs being trained or queued). When `shouldStop` becomes true, runs in flight finish
    /// and are archived, and no new run starts; a run still `running` at the end (after an error) is marked `interrupted`.
    public func run(
        _ plan: ExperimentPlan, jobs: Int, shouldStop: @escaping @Sendable () -> Bool = { false },
        onRunArchived: @escaping @Sendable (RunResult, Int64) -> Void = { _, _ in }
    ) throws -> ExperimentRunOutcome {
        guard jobs >= 1 else { throw ExperimentError.notPositive(name: "jobs", value: jobs) }
        let spec = plan.spec, series = plan.series, trainer = plan.trainer
        let experiment = try store.registerExperiment(spec, series: series, provenance: .current())
        let experimentID = experiment.id!
        let finished = try store.finishedRunKeys(experimentID: experimentID)
        let tasks = spec.runs.filter { !finished.contains(RunKey($0)) }
        let runner = Runner(trainer: trainer, jobs: jobs)
        let writer = ArchiveWriter(store: store, experimentID: experimentID, queuedLimit: jobs * runner.laneWidth)
        let results: [RunResult?]
        do {
            results = try runner.run(
                tasks, shouldStop: { shouldStop() || writer.hasFailed },
                onStart: { index in try writer.begin(tasks[index], index: index) },
                onFinished: { index, result in writer.finish(result, index: index, then: onRunArchived) })
        } catch {
            writer.drain()
            try? store.markInterrupted(runIDs: writer.unfinishedRunIDs)
            throw error
        }
        writer.drain()
        if let failure = writer.failure {
            try? store.markInterrupted(runIDs: writer.unfinishedRunIDs)
            throw failure
        }
        try store.markInterrupted(runIDs: writer.unfinishedRunIDs)
        let trained = results.compactMap { $0 }
        let notStarted = tasks.count - trained.count - writer.heldElsewhere
        return ExperimentRunOutcome(
            experiment: experiment, skipped: spec.runs.count - tasks.count, trained: trained,
            notStarted: notStarted, heldElsewhere: writer.heldElsewhere, interrupted: notStarted > 0)
    }
}

/// Archives runs on one serial queue, in the order they are handed over. The first error stops all further writes
/// and is kept for the caller.
final class ArchiveWriter: Sendable {
    private let store: ArchiveStore
    private let experimentID: Int64
    private let queue = DispatchQueue(label: "lstmlab.archive-writer")
    /// Finished runs that may wait in the queue before a worker has to wait for the writer.
    private let queuedSlots: DispatchSemaphore
    private let state = Mutex(State())

    private struct State {
        var runIDs: [Int: Int64] = [:]
        var unfinished: Set<Int64> = []
        var heldElsewhere = 0
        var failure: (any Error)?
    }

    init(store: ArchiveStore, experimentID: Int64, queuedLimit: Int) {
        self.store = store
        self.experimentID = experimentID
        queuedSlots = DispatchSemaphore(value: queuedLimit)
    }

    var hasFailed: Bool { state.withLock { $0.failure != nil } }
    var failure: (any Error)? { state.withLock { $0.failure } }
    var unfinishedRunIDs: [Int64] { state.withLock { Array($0.unfinished).sorted() } }

    /// Records the run as `running`, from the calling worker (a short transaction, not queued behind the
    /// archiving of other runs); returns false (train nothing) when another process holds or has finished the run.
    func begin(_ task: RunTask, index: Int) throws -> Bool {
        guard !hasFailed else { return false }
        guard let id = try store.beginRun(task, experimentID: experimentID) else {
            state.withLock { $0.heldElsewhere += 1 }
            return false
        }
        state.withLock {
            $0.runIDs[index] = id
            $0.unfinished.insert(id)
        }
        return true
    }

    var heldElsewhere: Int { state.withLock { $0.heldElsewhere } }

    /// Archives the finished run, then calls `then` with it and its id.
    func finish(_ result: RunResult, index: Int, then: @escaping @Sendable (RunResult, Int64) -> Void) {
        queuedSlots.wait()
        queue.async { [self] in
            defer { queuedSlots.signal() }
            guard !hasFailed, let id = state.withLock({ $0.runIDs[index] }) else { return }
            do {
                try store.finishRun(id: id, result: result)
                _ = state.withLock { $0.unfinished.remove(id) }
                then(result, id)
            } catch {
                state.withLock { if $0.failure == nil { $0.failure = error } }
            }
        }
    }

    /// Waits until everything handed over is written.
    func drain() { queue.sync {} }
}
