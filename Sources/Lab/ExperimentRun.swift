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
    /// Runs of the experiment (or its shard) that had not ended (finished or failed) in the archive when this call
    /// returned: 0 when it is complete, whoever trained its runs.
    public var unfinished: Int = 0
}

extension Lab {
    /// Trains an experiment into an archive: finished runs are skipped, unfinished or failed ones redone. Each run is
    /// recorded as `running` when it starts and archived (checkpoint, then its rows in one transaction) when it ends.
    ///
    /// The archiving happens on one writer queue, in order, while the workers go on training: a worker waits only for
    /// the short transaction that marks its next run `running`, or when `jobs` finished runs are already queued (so a
    /// crash loses at most the runs being trained or queued). When `shouldStop` becomes true, runs in flight finish
    /// and are archived, and no new run starts; when `shouldAbandon` becomes true (polled every epoch), the runs in
    /// flight are abandoned too. A run still `running` at the end (abandoned, or after an error) is marked
    /// `interrupted`, and is redone by the next run of the experiment.
    /// `onEpochs` hears of the run-epochs trained, now and then (progress within long runs). With a `shard`, only
    /// that shard's runs are trained (and counted). With `takingOver`, runs left `running` by a process on another
    /// host are redone (see `ArchiveStore.beginRuns`).
    public func run(
        _ plan: ExperimentPlan, jobs: Int, shard: Shard? = nil, takingOver: Bool = false, shouldStop: @escaping @Sendable () -> Bool = { false },
        shouldAbandon: @escaping @Sendable () -> Bool = { false },
        onRunArchived: @escaping @Sendable (RunResult, Int64) -> Void = { _, _ in },
        onEpochs: (@Sendable (Int) -> Void)? = nil
    ) throws -> ExperimentRunOutcome {
        try mappingStorageErrors(path: store.path) {
            try runMapped(plan, jobs: jobs, shard: shard, takingOver: takingOver, shouldStop: shouldStop,
                          shouldAbandon: shouldAbandon, onRunArchived: onRunArchived, onEpochs: onEpochs)
        }
    }

    private func runMapped(
        _ plan: ExperimentPlan, jobs: Int, shard: Shard?, takingOver: Bool, shouldStop: @escaping @Sendable () -> Bool,
        shouldAbandon: @escaping @Sendable () -> Bool,
        onRunArchived: @escaping @Sendable (RunResult, Int64) -> Void, onEpochs: (@Sendable (Int) -> Void)?
    ) throws -> ExperimentRunOutcome {
        guard jobs >= 1 else { throw ExperimentError.notPositive(name: "jobs", value: jobs) }
        let spec = plan.spec, series = plan.series
        let trainers = plan.trainers.map { trainer in
            var trainer = trainer
            trainer.onEpochs = onEpochs
            trainer.shouldCancel = shouldAbandon
            return trainer
        }
        // The runs archived, by task index: what an abandoned experiment did.
        let archived = Mutex<[RunResult]>([])
        let experiment = try store.registerExperiment(spec, series: series, provenance: .current(), file: plan.file)
        let experimentID = experiment.id!
        let finished = try store.finishedRunIdentities(experimentID: experimentID)
        let runs = shard?.runs(of: spec) ?? spec.runs
        let tasks = runs.filter { !finished.contains(RunIdentity(experiment: experiment.name, $0)) }
        let runner = Runner(trainers: trainers, jobs: jobs)
        let writer = ArchiveWriter(store: store, experimentID: experimentID, queuedLimit: 2 * jobs * runner.laneWidth,
                                   takingOver: takingOver)
        let results: [RunResult?]
        do {
            results = try runner.run(
                tasks, shouldStop: { shouldStop() || shouldAbandon() || writer.hasFailed },
                onStart: { indices in try writer.begin(indices, tasks: indices.map { tasks[$0] }) },
                onFinished: { finished in
                    writer.finish(finished) { result, id in
                        archived.withLock { $0.append(result) }
                        onRunArchived(result, id)
                    }
                })
        } catch is TrainingCancelled {
            writer.drain()
            try store.markInterrupted(runIDs: writer.unfinishedRunIDs)
            if let failure = writer.failure { throw failure }
            let trained = archived.withLock { $0 }
            return ExperimentRunOutcome(
                experiment: experiment, skipped: runs.count - tasks.count, trained: trained,
                notStarted: tasks.count - trained.count - writer.heldElsewhere, heldElsewhere: writer.heldElsewhere,
                interrupted: true, unfinished: try unfinishedCount(runs, experiment: experiment))
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
            experiment: experiment, skipped: runs.count - tasks.count, trained: trained,
            notStarted: notStarted, heldElsewhere: writer.heldElsewhere, interrupted: notStarted > 0,
            unfinished: try unfinishedCount(runs, experiment: experiment))
    }

    /// How many of `runs` have not ended (finished or failed) in the archive now.
    private func unfinishedCount(_ runs: [RunTask], experiment: ExperimentRecord) throws -> Int {
        let ended = try store.finishedRunIdentities(experimentID: experiment.id!, includingFailed: true)
        return runs.filter { !ended.contains(RunIdentity(experiment: experiment.name, $0)) }.count
    }
}

/// Archives runs on one serial queue, in the order they are handed over, all those waiting at once in one
/// transaction (after their checkpoints are written and flushed). The first error stops all further writes and is
/// kept for the caller.
final class ArchiveWriter: Sendable {
    private let store: ArchiveStore
    private let experimentID: Int64
    private let takingOver: Bool
    private let queue = DispatchQueue(label: "lstmlab.archive-writer")
    /// Finished runs that may wait in the queue before a worker has to wait for the writer.
    private let queuedSlots: DispatchSemaphore
    private let state = Mutex(State())

    private struct State {
        var runIDs: [Int: Int64] = [:]
        var unfinished: Set<Int64> = []
        var heldElsewhere = 0
        var failure: (any Error)?
        var pending: [(id: Int64, result: RunResult)] = []
        var checkpoints: [Int64: ArchiveStore.WrittenCheckpoint] = [:]
    }

    init(store: ArchiveStore, experimentID: Int64, queuedLimit: Int, takingOver: Bool) {
        self.store = store
        self.experimentID = experimentID
        self.takingOver = takingOver
        queuedSlots = DispatchSemaphore(value: queuedLimit)
    }

    var hasFailed: Bool { state.withLock { $0.failure != nil } }
    var failure: (any Error)? { state.withLock { $0.failure } }
    var unfinishedRunIDs: [Int64] { state.withLock { Array($0.unfinished).sorted() } }
    var heldElsewhere: Int { state.withLock { $0.heldElsewhere } }

    /// Records the runs as `running` in one short transaction, from the calling worker (not queued behind the
    /// archiving of other runs); returns the indices to train (not those another process holds or has finished).
    func begin(_ indices: [Int], tasks: [RunTask]) throws -> [Int] {
        guard !hasFailed else { return [] }
        let ids = try store.beginRuns(tasks, experimentID: experimentID, takingOver: takingOver)
        return state.withLock { state in
            var started: [Int] = []
            for (index, id) in zip(indices, ids) {
                guard let id else {
                    state.heldElsewhere += 1
                    continue
                }
                state.runIDs[index] = id
                state.unfinished.insert(id)
                started.append(index)
            }
            return started
        }
    }

    /// Archives finished runs: their checkpoints written and flushed by the calling worker, then their rows
    /// committed on the writer queue (with every other run waiting, in one transaction); then calls `then` with each
    /// run and its id.
    func finish(_ finished: [(index: Int, result: RunResult)], then: @escaping @Sendable (RunResult, Int64) -> Void) {
        guard !hasFailed else { return }
        let runs = state.withLock { state in
            finished.compactMap { index, result in state.runIDs[index].map { (id: $0, result: result) } }
        }
        let checkpoints: [Int64: ArchiveStore.WrittenCheckpoint]
        do {
            checkpoints = try store.writeCheckpoints(runs)
        } catch {
            state.withLock { if $0.failure == nil { $0.failure = error } }
            return
        }
        for _ in runs { queuedSlots.wait() }
        state.withLock { state in
            state.pending += runs
            state.checkpoints.merge(checkpoints) { _, new in new }
        }
        queue.async { [self] in
            let (batch, written) = state.withLock { state -> ([(id: Int64, result: RunResult)], [Int64: ArchiveStore.WrittenCheckpoint]) in
                defer {
                    state.pending = []
                    state.checkpoints = [:]
                }
                return (state.pending, state.checkpoints)
            }
            defer { for _ in batch { queuedSlots.signal() } }
            guard !hasFailed, !batch.isEmpty else { return }
            do {
                try store.commitRuns(batch, checkpoints: written)
                state.withLock { state in for (id, _) in batch { state.unfinished.remove(id) } }
                for (id, result) in batch { then(result, id) }
            } catch {
                state.withLock { if $0.failure == nil { $0.failure = error } }
            }
        }
    }

    /// Waits until everything handed over is written.
    func drain() { queue.sync {} }
}
