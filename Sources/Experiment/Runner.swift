import Dispatch
import Synchronization

/// Trains many runs on `jobs` threads. Each run depends only on its task (its seed is derived, not drawn), so the
/// results are the same whatever the thread count or the order runs finish in; they are returned in task order.
public struct Runner: Sendable {
    public var trainer: Trainer
    public var jobs: Int

    public init(trainer: Trainer, jobs: Int) {
        precondition(jobs >= 1, "at least one job")
        self.trainer = trainer
        self.jobs = jobs
    }

    /// Trains every task. `onStart` is called before a run trains (returning false skips it) and `onFinished` as
    /// soon as it ends, both from the worker thread that trains it (e.g. to archive it). `shouldStop` is polled
    /// before each run starts; runs not started or skipped are nil in the result. The first error thrown stops the
    /// workers and is rethrown.
    public func run(
        _ tasks: [RunTask],
        shouldStop: @Sendable () -> Bool = { false },
        onStart: @Sendable (Int) throws -> Bool = { _ in true },
        onFinished: @Sendable (Int, RunResult) throws -> Void = { _, _ in }
    ) throws -> [RunResult?] {
        let nextIndex = Mutex(0)
        let results = Mutex([RunResult?](repeating: nil, count: tasks.count))
        let firstError = Mutex<(any Error)?>(nil)
        let workerCount = max(1, min(jobs, tasks.count))
        DispatchQueue.concurrentPerform(iterations: workerCount) { _ in
            while true {
                if shouldStop() || firstError.withLock({ $0 != nil }) { return }
                let index = nextIndex.withLock { value -> Int in
                    defer { value += 1 }
                    return value
                }
                guard index < tasks.count else { return }
                do {
                    guard try onStart(index) else { continue }
                    let result = try trainer.train(tasks[index])
                    try onFinished(index, result)
                    results.withLock { $0[index] = result }
                } catch {
                    firstError.withLock { if $0 == nil { $0 = error } }
                    return
                }
            }
        }
        if let error = firstError.withLock({ $0 }) { throw error }
        return results.withLock { $0 }
    }
}
