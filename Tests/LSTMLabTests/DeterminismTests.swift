import Experiment
import Foundation
import NeuralNetwork
import Testing
import TimeSeries

/// Counts callbacks from several threads.
private final class CallLog: @unchecked Sendable {
    private let lock = NSLock()
    private var indices: [Int] = []
    func record(_ index: Int) { lock.lock(); indices.append(index); lock.unlock() }
    var recorded: [Int] { lock.lock(); defer { lock.unlock() }; return indices }
}

private func bits(_ values: [Double]) -> [UInt64] { values.map(\.bitPattern) }

private func curveBits(_ result: RunResult) -> [UInt64] {
    result.curve.flatMap { [$0.trainRMSE.bitPattern, $0.testRMSE.bitPattern, $0.loss.bitPattern] }
}

@Suite("Determinism of training and of the runner")
struct DeterminismTests {
    static let epochs = 20

    static func tasks(profile: KerasProfile = .keras2, repeats: Int = 2) -> (Trainer, [RunTask]) {
        let training = TrainingSettings(profile: profile, epochs: epochs)
        let trainer = try! Trainer(series: .shampooSales(), training: training)
        return (trainer, Preset.input.experiment(seed: 11, repeats: repeats, training: training).runs)
    }

    @Test("The same task trained twice gives bit-identical curves and parameters", arguments: KerasProfile.allCases)
    func sameTaskTwice(profile: KerasProfile) throws {
        let (trainer, tasks) = Self.tasks(profile: profile, repeats: 1)
        let task = tasks[3]  // kernel L1L2(0.01,0.01)
        let first = try trainer.train(task)
        let second = try trainer.train(task)
        #expect(first.outcome == .finished)
        #expect(first.curve.count == Self.epochs)
        #expect(first.curve.map(\.epoch) == Array(1...Self.epochs))
        #expect(curveBits(first) == curveBits(second))
        #expect(bits(first.finalParameters) == bits(second.finalParameters))
        #expect(bits(first.testForecasts) == bits(second.testForecasts))
        #expect(first.adamState == second.adamState)
        #expect(first == second)
        // Training did something: the weights moved, Adam took 20 epochs × 5 batches of steps.
        #expect(first.finalParameters != first.initialParameters)
        #expect(first.adamState.step == Self.epochs * 5)
        // A different repeat starts from different weights and ends elsewhere.
        let other = try trainer.train(tasks[2])
        #expect(other.initialParameters != first.initialParameters)
        #expect(other.finalTestRMSE != first.finalTestRMSE)
    }

    @Test("Initial weights are Keras's, drawn from the run seed")
    func initialWeightsFromRunSeed() throws {
        let (trainer, tasks) = Self.tasks(repeats: 1)
        let task = tasks[0]
        let result = try trainer.train(task)
        var random = RandomSource(seed: task.runSeed)
        let expected = KerasInitializers.initialParameters(for: NetworkShape(lag: 1, units: 3), using: &random)
        #expect(result.initialParameters == expected)
    }

    @Test("The run's score is the test RMSE after the last epoch, recomputed from the network's building blocks")
    func scoreMatchesBuildingBlocks() throws {
        let (trainer, tasks) = Self.tasks(repeats: 1)
        let task = tasks[1]  // kernel L1L2(0.01,0.00)
        let result = try trainer.train(task)
        let score = try #require(result.finalTestRMSE)
        #expect(score == result.curve.last?.testRMSE)
        #expect(result.finalTrainRMSE == result.curve.last?.trainRMSE)
        // The archived forecasts give the same RMSE against the observed months.
        #expect(abs(rootMeanSquaredError(result.testForecasts, result.testObserved) - score) <= 1e-9)
        #expect(result.testObserved == Array(Series.shampooSales().values.suffix(12)))

        // Re-train with LSTMNetwork<Double> directly: epochs of ordered batches with a reset after each, then predictions
        // from a reset state, inverted to sales units.
        let settings = task.configuration.networkSettings
        let network = LSTMNetwork<Double>(settings: settings, parameters: result.initialParameters)
        let dataset = trainer.dataset
        var losses: [Double] = []
        for _ in 1...Self.epochs {
            let loss = dataset.train.inputs.withUnsafeBufferPointer { inputs in
                dataset.train.targets.withUnsafeBufferPointer { targets in
                    network.trainEpoch(inputs: inputs.baseAddress!, targets: targets.baseAddress!,
                                       rowCount: dataset.train.count)
                }
            }
            losses.append(loss)
        }
        #expect(bits(losses) == bits(result.curve.map(\.loss)))
        #expect(bits(network.parameterValues()) == bits(result.finalParameters))
        let testPredictions = network.predictFromReset(inputs: dataset.test.inputs, rowCount: dataset.test.count)
        let testForecasts = dataset.forecasts(testPredictions, for: dataset.test)
        #expect(largestDifference(testForecasts, result.testForecasts) <= 1e-9)
        #expect(abs(rootMeanSquaredError(testForecasts, dataset.test.observed) - score) <= 1e-9)
        let trainPredictions = network.predictFromReset(inputs: dataset.train.inputs, rowCount: dataset.train.count)
        let trainForecasts = dataset.forecasts(trainPredictions, for: dataset.train)
        #expect(abs(rootMeanSquaredError(trainForecasts, dataset.train.observed) - (result.finalTrainRMSE ?? .nan)) <= 1e-9)
    }

    @Test("Runner with 1 and 2 jobs and every kernel this CPU runs: identical results in task order")
    func runnerJobsAgree() throws {
        let (trainer, tasks) = Self.tasks(repeats: 3)
        #expect(tasks.count == 12)
        let log1 = CallLog(), log2 = CallLog()
        let serial = try Runner(trainer: trainer, jobs: 1, kernel: .scalar)
            .run(tasks, onFinished: { finished in for item in finished { log1.record(item.index) } })
        let parallel = try Runner(trainer: trainer, jobs: 2)
            .run(tasks, onFinished: { finished in for item in finished { log2.record(item.index) } })
        for kernel in LaneKernel.allCases where kernel.isSupported {
            for jobs in [1, 2] {
                let other = try Runner(trainer: trainer, jobs: jobs, kernel: kernel).run(tasks)
                #expect(other == parallel, "\(jobs) jobs, \(kernel)")
            }
        }
        #expect(serial.count == tasks.count)
        #expect(parallel.count == tasks.count)
        for index in tasks.indices {
            let a = try #require(serial[index]), b = try #require(parallel[index])
            #expect(a.task == tasks[index])
            #expect(b.task == tasks[index])
            #expect(curveBits(a) == curveBits(b))
            #expect(bits(a.finalParameters) == bits(b.finalParameters))
            #expect(a == b)
        }
        #expect(log1.recorded == Array(tasks.indices))  // one job: in order
        #expect(log2.recorded.sorted() == Array(tasks.indices))  // two jobs: each once
        // The runs are not all the same run.
        #expect(Set(serial.compactMap { $0?.finalTestRMSE }).count == tasks.count)
    }

    @Test("Runner: shouldStop before any run leaves every result empty; errors from onFinished propagate")
    func runnerStopAndErrors() throws {
        let (trainer, tasks) = Self.tasks(repeats: 1)
        let stopped = try Runner(trainer: trainer, jobs: 2).run(Array(tasks.prefix(2)), shouldStop: { true })
        #expect(stopped.count == 2)
        #expect(stopped.allSatisfy { $0 == nil })

        struct Refused: Error {}
        #expect(throws: Refused.self) {
            _ = try Runner(trainer: trainer, jobs: 1).run(Array(tasks.prefix(1)), onFinished: { _ in throw Refused() })
        }
    }
}

@Suite("Diverging runs")
struct FailureTests {
    @Test("A run whose loss overflows is reported failed at that epoch and not scored")
    func divergingRun() throws {
        // Adam moves each weight by about lr per step: with lr 1e300 the weights reach ~1e300 after one batch, the
        // next batch's squared error overflows to +∞ and the epoch loss is not finite.
        let training = TrainingSettings(profile: .keras3, epochs: 5, learningRate: 1e300)
        let trainer = try Trainer(series: .shampooSales(), training: training)
        let task = Preset.baseline.experiment(seed: 3, repeats: 1, training: training).runs[0]
        let result = try trainer.train(task)
        guard case .failed(let epoch, let reason) = result.outcome else {
            Issue.record("the diverging run was reported \(result.outcome)")
            return
        }
        #expect(epoch == 1)
        #expect(reason.contains("\(epoch)"))
        #expect(result.curve.count == epoch)
        #expect(result.finalTestRMSE == nil)
        #expect(result.finalTrainRMSE == nil)
        let last = try #require(result.curve.last)
        #expect(!(last.loss.isFinite && last.trainRMSE.isFinite && last.testRMSE.isFinite))
    }

    @Test("Among several runs only the diverging ones go unscored")
    func mixedRuns() throws {
        let good = TrainingSettings(profile: .keras2, epochs: 3)
        let bad = TrainingSettings(profile: .keras2, epochs: 3, learningRate: 1e300)
        let trainer = try Trainer(series: .shampooSales(), training: good)
        let goodTask = Preset.baseline.experiment(seed: 5, repeats: 1, training: good).runs[0]
        var badTask = goodTask
        badTask.configuration.training = bad
        let results = try Runner(trainer: trainer, jobs: 2).run([goodTask, badTask, goodTask])
        let scores = results.map { $0?.finalTestRMSE }
        #expect(scores[0] != nil && scores[2] != nil)
        #expect(scores[0] == scores[2])
        #expect(scores[1] == nil)
        #expect(results[1]?.outcome != .finished)
    }
}
