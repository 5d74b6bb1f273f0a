@testable import Experiment
import NeuralNetwork
import Testing
import TimeSeries

/// Runs trained side by side in SIMD lanes against the same runs trained alone: every bit must agree.
@Suite("Runs as SIMD lanes")
struct LaneTests {
    static let both = L1L2(l1: 0.01, l2: 0.01)
    /// Configurations that exercise every penalty path, including none and several at once.
    static let configurations: [ConfigurationSpec] = [
        .baseline, .single(.kernel, both), .single(.recurrent, L1L2(l1: 0.01, l2: 0)), .single(.bias, L1L2(l1: 0, l2: 0.01)),
        .single(.activity, L1L2(l1: 0.001, l2: 0.001)), .combined([(.kernel, both), (.recurrent, both), (.bias, both)]),
        .single(.kernel, .none), .single(.activity, both),
    ]

    static func tasks(profile: KerasProfile, training: TrainingSettings? = nil, repeats: Int = 2) -> [RunTask] {
        let settings = training ?? TrainingSettings(profile: profile, epochs: 25)
        return ExperimentSpec(name: "lanes", preset: "custom", seed: 31, repeats: repeats, training: settings,
                              configurations: configurations).runs
    }

    static func expectIdentical(_ lane: RunResult, _ alone: RunResult, _ context: String) {
        #expect(lane.outcome == alone.outcome, "\(context): outcome")
        #expect(lane.curve.count == alone.curve.count, "\(context): epochs")
        for (a, b) in zip(lane.curve, alone.curve) {
            let same = a.trainRMSE.bitPattern == b.trainRMSE.bitPattern && a.testRMSE.bitPattern == b.testRMSE.bitPattern
                && a.loss.bitPattern == b.loss.bitPattern
            #expect(same, "\(context): epoch \(a.epoch) differs")
            if !same { return }
        }
        #expect(lane.finalParameters.map(\.bitPattern) == alone.finalParameters.map(\.bitPattern), "\(context): weights")
        #expect(lane.adamState.firstMoment.map(\.bitPattern) == alone.adamState.firstMoment.map(\.bitPattern))
        #expect(lane.adamState.secondMoment.map(\.bitPattern) == alone.adamState.secondMoment.map(\.bitPattern))
        #expect(lane.adamState.step == alone.adamState.step)
        #expect(lane.snapshots.map { $0.parameters.map(\.bitPattern) } == alone.snapshots.map { $0.parameters.map(\.bitPattern) })
        #expect(lane.testForecasts.map(\.bitPattern) == alone.testForecasts.map(\.bitPattern), "\(context): forecasts")
    }

    /// The kernels this CPU runs, each a compilation of the one engine for another vector width.
    static let kernels = LaneKernel.allCases.filter(\.isSupported)

    @Test("A run alone and inside full vectors of every kernel this CPU runs, beside any lane-mates, is the same bit for bit",
          arguments: KerasProfile.allCases)
    func lanesEqualAlone(profile: KerasProfile) throws {
        let tasks = Self.tasks(profile: profile)
        let trainer = try Trainer(series: .shampooSales(), training: tasks[0].configuration.training, snapshotInterval: 10)
        let alone = try tasks.map { try trainer.train($0) }
        for kernel in Self.kernels {
            let width = kernel.laneCount
            // In order, and shuffled so that every run has other lane-mates and another lane.
            for order in [Array(tasks.indices), Array(tasks.indices.reversed()), tasks.indices.map { ($0 * 5) % tasks.count }] {
                var start = 0
                while start < order.count {
                    let group = Array(order[start..<min(start + width, order.count)])
                    let results = try trainer.train(lanes: group.map { tasks[$0] }, kernel: kernel)
                    for (index, result) in zip(group, results) {
                        Self.expectIdentical(result, alone[index], "\(profile) \(kernel) \(tasks[index].configuration.label)")
                    }
                    start += width
                }
            }
        }
    }

    @Test("Another shape (lag 2, 2 units, batch 3) and a partly filled vector", arguments: KerasProfile.allCases)
    func otherShape(profile: KerasProfile) throws {
        let training = TrainingSettings(profile: profile, units: 2, batchSize: 3, lag: 2, epochs: 15, learningRate: 0.003)
        let tasks = Array(Self.tasks(profile: profile, training: training, repeats: 1).prefix(3))
        let trainer = try Trainer(series: .shampooSales(), training: training, snapshotInterval: 4)
        for kernel in Self.kernels where kernel.laneCount >= tasks.count {
            let results = try trainer.train(lanes: tasks, kernel: kernel)
            for (task, result) in zip(tasks, results) {
                Self.expectIdentical(result, try trainer.train(task), "\(profile) \(kernel) \(task.configuration.label)")
            }
        }
    }

    @Test("Runs of other lengths and learning rates share a vector; each is the same as alone, and ends at its epochs",
          arguments: KerasProfile.allCases)
    func mixedLengthsAndRates(profile: KerasProfile) throws {
        let base = Self.tasks(profile: profile, training: TrainingSettings(profile: profile, epochs: 9), repeats: 1)
        let variants: [(epochs: Int, learningRate: Double)] = [(9, 0.001), (4, 0.001), (13, 0.003), (1, 0.01),
                                                                (9, 0.0005), (6, 0.001), (13, 0.001), (2, 0.002)]
        let tasks = zip(base, variants).map { task, variant -> RunTask in
            var task = task
            task.configuration.training.epochs = variant.epochs
            task.configuration.training.learningRate = variant.learningRate
            return task
        }
        let trainer = try Trainer(series: .shampooSales(), training: tasks[0].configuration.training, snapshotInterval: 3)
        let alone = try tasks.map { try trainer.train($0) }
        for (task, result) in zip(tasks, alone) {
            #expect(result.curve.count == task.configuration.training.epochs)
            #expect(result.adamState.step == task.configuration.training.epochs * 5)
        }
        for kernel in Self.kernels where kernel.laneCount > 1 {
            for start in stride(from: 0, to: tasks.count, by: kernel.laneCount) {
                let group = Array(tasks.indices[start..<min(start + kernel.laneCount, tasks.count)])
                let results = try trainer.train(lanes: group.map { tasks[$0] }, kernel: kernel)
                for (index, result) in zip(group, results) {
                    Self.expectIdentical(result, alone[index], "\(profile) \(kernel) run \(index)")
                }
            }
        }
        // The runner groups them by network, whatever their lengths, with the same results.
        let runner = Runner(trainer: trainer, jobs: 2)
        #expect(runner.groups(tasks).count == (tasks.count + runner.laneWidth - 1) / runner.laneWidth)
        #expect(try runner.run(tasks).map { $0! } == alone)
    }

    @Test("A diverging run fails at the same epoch in a vector as alone, and its lane-mates are unaffected")
    func failingLane() throws {
        let training = TrainingSettings(profile: .keras2, epochs: 12)
        let healthy = Self.tasks(profile: .keras2, training: training, repeats: 1)[1]
        var diverging = healthy
        diverging.configuration.configuration = .single(.kernel, L1L2(l1: 1e308, l2: 1e308))
        diverging.runSeed = 99
        let trainer = try Trainer(series: .shampooSales(), training: training, snapshotInterval: 5)
        let alone = try trainer.train(diverging)
        guard case .failed = alone.outcome else {
            Issue.record("the diverging run finished: \(alone.curve.last.map { "\($0)" } ?? "")")
            return
        }
        for kernel in Self.kernels where kernel.laneCount >= 3 {
            let results = try trainer.train(lanes: [healthy, diverging, healthy], kernel: kernel)
            Self.expectIdentical(results[1], alone, "diverging, \(kernel)")
            Self.expectIdentical(results[0], try trainer.train(healthy), "healthy, \(kernel)")
            Self.expectIdentical(results[2], results[0], "healthy twice, \(kernel)")
        }
    }
}
