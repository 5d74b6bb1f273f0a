import Dispatch
import NeuralNetwork
import Synchronization
import TimeSeries

/// Trains many runs on `jobs` threads, several at a time in SIMD lanes. Each run depends only on its task (its seed
/// is derived, not drawn) and computes the same bits alone or in any vector, so the results are the same whatever
/// the thread count, the lane width, the grouping or the order runs finish in; they are returned in task order.
public struct Runner: Sendable {
    /// One trainer per framing of the data (lag, test size, batch size), each training the runs of its framing.
    public var trainers: [FramingOptions: Trainer]
    public var jobs: Int
    /// The engine's compilation, and so how many runs train side by side (default: the widest the CPU runs).
    public var kernel: LaneKernel

    /// A runner whose one trainer trains every task.
    public init(trainer: Trainer, jobs: Int, kernel: LaneKernel = .widest) {
        self.init(trainers: [trainer], jobs: jobs, kernel: kernel)
    }

    /// A runner training each task with the trainer of its framing (`TrainingSettings.framing`).
    public init(trainers: [Trainer], jobs: Int, kernel: LaneKernel = .widest) {
        precondition(jobs >= 1, "at least one job")
        precondition(!trainers.isEmpty, "at least one trainer")
        self.trainers = Dictionary(trainers.map { ($0.dataset.options, $0) }) { first, _ in first }
        self.jobs = jobs
        self.kernel = kernel
    }

    /// The trainer of a task's framing; the only trainer when there is one.
    func trainer(for task: RunTask) -> Trainer {
        if trainers.count == 1 { return trainers.values.first! }
        guard let trainer = trainers[task.configuration.training.framing] else {
            preconditionFailure("no trainer for the framing of \(task.configuration.label)")
        }
        return trainer
    }

    /// Runs per vector.
    public var laneWidth: Int { kernel.laneCount }

    /// The tasks' indices in groups that train together: runs that share a network (`TrainingSettings.sharedNetwork`),
    /// the longest first so that lane-mates have similar lengths, at most `laneWidth` per group.
    func groups(_ tasks: [RunTask]) -> [[Int]] {
        var byNetwork: [TrainingSettings.SharedNetwork: [Int]] = [:]
        var order: [TrainingSettings.SharedNetwork] = []
        for (index, task) in tasks.enumerated() {
            let network = task.configuration.training.sharedNetwork
            if byNetwork[network] == nil { order.append(network) }
            byNetwork[network, default: []].append(index)
        }
        return order.flatMap { network in
            let epochs = { (index: Int) in tasks[index].configuration.training.epochs }
            let indices = byNetwork[network]!.sorted { a, b in epochs(a) != epochs(b) ? epochs(a) > epochs(b) : a < b }
            return stride(from: 0, to: indices.count, by: laneWidth).map {
                Array(indices[$0..<min($0 + laneWidth, indices.count)])
            }
        }
    }

    /// Trains every task. `onStart` is called with a group's task indices before it trains and returns those to
    /// train (e.g. not those another process holds); `onFinished` is called with the group's results as soon as it
    /// ends; both from the worker thread that trains it (e.g. to archive them). `shouldStop` is polled before each
    /// group starts; runs not started or skipped are nil in the result. The first error thrown stops the workers and
    /// is rethrown.
    public func run(
        _ tasks: [RunTask],
        shouldStop: @Sendable () -> Bool = { false },
        onStart: @Sendable ([Int]) throws -> [Int] = { $0 },
        onFinished: @Sendable ([(index: Int, result: RunResult)]) throws -> Void = { _ in }
    ) throws -> [RunResult?] {
        let groups = self.groups(tasks)
        let nextGroup = Mutex(0)
        let results = Mutex([RunResult?](repeating: nil, count: tasks.count))
        let firstError = Mutex<(any Error)?>(nil)
        let workerCount = max(1, min(jobs, groups.count))
        DispatchQueue.concurrentPerform(iterations: workerCount) { _ in
            while true {
                if shouldStop() || firstError.withLock({ $0 != nil }) { return }
                let groupIndex = nextGroup.withLock { value -> Int in
                    defer { value += 1 }
                    return value
                }
                guard groupIndex < groups.count else { return }
                do {
                    let started = try onStart(groups[groupIndex])
                    guard !started.isEmpty else { continue }
                    let lanes = started.map { tasks[$0] }
                    let trained = try trainer(for: lanes[0]).train(lanes: lanes, kernel: kernel)
                    let finished = Array(zip(started, trained))
                    try onFinished(finished.map { (index: $0.0, result: $0.1) })
                    results.withLock { for (index, result) in finished { $0[index] = result } }
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
