import Foundation
@testable import Experiment
import Lab
import NeuralNetwork
import Testing
import TimeSeries

// The study family's engine paths: several timesteps per sample, dropout masks, stateless training, shuffled rows,
// walk-forward forecasts and a seeded state. Gradients against central differences, the loss against a plain
// recomputation, and every path's runs alone against the same runs in lanes.

/// A plain forward pass of one batch through T timesteps with masks, from SPEC §3 and Keras's LSTMCell: input
/// `[n × T × F]`, masks `[n × 4 × F]` and `[n × 4 × u]`, carried state `[n × u]`.
private func referenceLoss(_ network: ReferenceNetwork, timesteps: Int, inputs: [Double], targets: [Double],
                           hidden: [Double], cell: [Double], inputMask: [Double], recurrentMask: [Double],
                           regularization: Regularization) -> Double {
    let features = network.lag, units = network.units, width = network.gateWidth, p = network.parameters
    var squaredError = 0.0
    for slot in targets.indices {
        var h = Array(hidden[(slot * units)..<((slot + 1) * units)]), c = Array(cell[(slot * units)..<((slot + 1) * units)])
        for step in 0..<timesteps {
            let x = Array(inputs[((slot * timesteps + step) * features)..<((slot * timesteps + step + 1) * features)])
            var z = [Double](repeating: 0, count: width)
            for column in 0..<width {
                let gate = column / units
                var sum = p[network.biasOffset + column]
                for k in 0..<features {
                    sum += x[k] * inputMask[(slot * 4 + gate) * features + k] * p[network.kernelOffset + k * width + column]
                }
                for k in 0..<units {
                    sum += h[k] * recurrentMask[(slot * 4 + gate) * units + k] * p[network.recurrentOffset + k * width + column]
                }
                z[column] = sum
            }
            for k in 0..<units {
                let i = network.sigma(z[k]), f = network.sigma(z[units + k])
                let g = Foundation.tanh(z[2 * units + k]), o = network.sigma(z[3 * units + k])
                c[k] = f * c[k] + i * g
                h[k] = o * Foundation.tanh(c[k])
            }
        }
        var y = p[network.denseBiasOffset]
        for k in 0..<units { y += h[k] * p[network.denseKernelOffset + k] }
        squaredError += (y - targets[slot]) * (y - targets[slot])
    }
    return squaredError / Double(targets.count)
        + ReferenceNetwork.l1l2(regularization.kernel, p[network.kernelOffset..<network.recurrentOffset])
        + ReferenceNetwork.l1l2(regularization.recurrentKernel, p[network.recurrentOffset..<network.biasOffset])
        + ReferenceNetwork.l1l2(regularization.bias, p[network.biasOffset..<network.denseKernelOffset])
}

/// A case of the family's gradient checks: T timesteps of F features, and which masks apply.
struct FamilyGradientCase: Sendable, CustomTestStringConvertible {
    var activation: RecurrentActivation
    var timesteps: Int
    var features: Int
    var inputDropout: Double
    var recurrentDropout: Double
    var testDescription: String {
        "\(activation.rawValue) T \(timesteps) F \(features) dropout \(inputDropout)/\(recurrentDropout)"
    }

    static let all: [FamilyGradientCase] = RecurrentActivation.allCases.flatMap { activation in
        [(1, 2), (3, 1), (4, 2)].flatMap { timesteps, features in
            [(0.0, 0.0), (0.4, 0.0), (0.0, 0.3), (0.2, 0.5)].map {
                FamilyGradientCase(activation: activation, timesteps: timesteps, features: features,
                                   inputDropout: $0.0, recurrentDropout: $0.1)
            }
        }
    }
}

@Suite("The study family's engine paths")
struct FamilyEngineTests {
    @Test("Timesteps and dropout masks: every gradient matches central differences, the loss a plain recomputation",
          arguments: FamilyGradientCase.all)
    func gradients(_ testCase: FamilyGradientCase) throws {
        let units = 2, batch = 3, count = 3
        let regularization = Regularization(kernel: L1L2(l1: 0.013, l2: 0.021), recurrentKernel: L1L2(l1: 0.017, l2: 0.011),
                                            bias: L1L2(l1: 0.019, l2: 0.023))
        let settings = NetworkSettings(
            shape: NetworkShape(lag: testCase.features, units: units, timesteps: testCase.timesteps),
            recurrentActivation: testCase.activation, adam: AdamSettings(epsilon: 1e-7), regularization: regularization,
            activityPenaltyDividedByBatch: true, batchSize: batch,
            dropout: DropoutSettings(input: testCase.inputDropout, recurrent: testCase.recurrentDropout))
        var problem = GradientProblem(lag: testCase.features, units: units, batchSize: batch, count: count,
                                      seed: UInt64(testCase.timesteps * 100 + testCase.features))
        var random = RandomSource(seed: 77)
        problem.inputs = (0..<(count * testCase.timesteps * testCase.features)).map { _ in random.nextUniform(-1, 1) }
        let masks = settings.dropout.drawMasks(rows: batch, lag: testCase.features, units: units, using: &random)
        if testCase.inputDropout > 0 { #expect(masks.input.contains(0) && masks.input.contains(1 / (1 - testCase.inputDropout))) }
        let network = LSTMNetwork<Double>(settings: settings, parameters: problem.parameters)
        network.setMasks(input: masks.input, recurrent: masks.recurrent)
        let worst = checkGradient(network: network, problem: problem, count: count)
        #expect(worst <= 1e-6)

        let (loss, _) = networkLossAndGradient(network, problem, parameters: problem.parameters, count: count)
        let reference = ReferenceNetwork(lag: testCase.features, units: units, activation: testCase.activation,
                                         parameters: problem.parameters)
        let expected = referenceLoss(reference, timesteps: testCase.timesteps, inputs: problem.inputs,
                                     targets: Array(problem.targets.prefix(count)), hidden: problem.hidden,
                                     cell: problem.cell, inputMask: masks.input, recurrentMask: masks.recurrent,
                                     regularization: regularization)
        #expect(abs(loss - expected) <= 1e-12 * max(1, abs(expected)), "loss \(loss) vs recomputed \(expected)")
    }

    @Test("Masks: 0 or 1/(1 − rate), about the rate dropped; Keras 3 draws one input mask until recurrent dropout is set")
    func masks() {
        var random = RandomSource(seed: 5)
        let perGate = DropoutSettings(input: 0.4, recurrent: 0.2).drawMasks(rows: 200, lag: 2, units: 3, using: &random)
        let dropped = Double(perGate.input.filter { $0 == 0 }.count) / Double(perGate.input.count)
        #expect(Set(perGate.input) == [0, 1 / 0.6] && Set(perGate.recurrent) == [0, 1.25])
        #expect(abs(dropped - 0.4) < 0.05)
        // Per gate: the four input masks of a row differ; one input mask: they are equal.
        let gate = { (values: [Double], row: Int, g: Int) in Array(values[((row * 4 + g) * 2)..<((row * 4 + g + 1) * 2)]) }
        #expect((0..<200).contains { gate(perGate.input, $0, 0) != gate(perGate.input, $0, 1) })
        let one = DropoutSettings(input: 0.4, draw: .oneInputMask).drawMasks(rows: 50, lag: 2, units: 3, using: &random)
        #expect((0..<50).allSatisfy { row in (1..<4).allSatisfy { gate(one.input, row, $0) == gate(one.input, row, 0) } })
        #expect(Set(one.recurrent) == [1])
        #expect(KerasProfile.keras3.maskDraw(recurrentDropout: 0) == .oneInputMask)
        #expect(KerasProfile.keras3.maskDraw(recurrentDropout: 0.2) == .perGate)
        #expect(KerasProfile.keras2.maskDraw(recurrentDropout: 0) == .perGate)
    }

    /// Settings exercising each of the family's paths.
    static let paths: [(String, TrainingSettings)] = KerasProfile.allCases.flatMap { profile -> [(String, TrainingSettings)] in
        func settings(_ change: (inout TrainingSettings) -> Void) -> TrainingSettings {
            var training = TrainingSettings(profile: profile, units: 2, batchSize: 4, epochs: 12)
            change(&training)
            return training
        }
        return [
            ("\(profile) input dropout", settings { $0.dropout = 0.4 }),
            ("\(profile) recurrent dropout", settings { $0.recurrentDropout = 0.3 }),
            ("\(profile) both dropouts", settings { $0.dropout = 0.2; $0.recurrentDropout = 0.4 }),
            ("\(profile) stateless shuffled", settings { $0.stateful = false; $0.shuffle = true; $0.batchSize = 1 }),
            ("\(profile) walk-forward seeded", settings { $0.forecast = .walkForward; $0.seedState = true }),
            ("\(profile) timesteps", settings { $0.lagAs = .timesteps; $0.lag = 3; $0.batchSize = 2; $0.dropout = 0.2 }),
            ("\(profile) batch 12 on 12 rows", settings { $0.batchSize = 12; $0.trainRows = 12; $0.stateful = false }),
            ("\(profile) zero-padded, rows skipped", settings { $0.zeroPad = true; $0.skipRows = 3; $0.lag = 2; $0.batchSize = 2 }),
        ]
    }

    @Test("Each path: a run alone and in every kernel's lanes, beside lane-mates, is the same bit for bit",
          arguments: paths.indices)
    func lanes(_ index: Int) throws {
        let (name, training) = Self.paths[index]
        let tasks = ExperimentSpec(name: "family", preset: "custom", seed: 12, repeats: 3, training: training,
                                   configurations: [.baseline, .single(.kernel, L1L2(l1: 0.01, l2: 0.01))]).runs
        let trainer = try Trainer(series: .shampooSales(), training: training, snapshotInterval: 5)
        let alone = try tasks.map { try trainer.train($0) }
        // Dropout and shuffling draw from each run's own source: repeats differ, and no curve is NaN.
        #expect(Set(alone.map { $0.curve.last!.testRMSE }).count == alone.count, "\(name): repeats differ")
        for kernel in LaneKernel.allCases.filter(\.isSupported) {
            var start = 0
            while start < tasks.count {
                let group = Array(tasks[start..<min(start + kernel.laneCount, tasks.count)])
                for (offset, result) in try trainer.train(lanes: group, kernel: kernel).enumerated() {
                    LaneTests.expectIdentical(result, alone[start + offset], "\(name) \(kernel)")
                }
                start += kernel.laneCount
            }
        }
    }

    @Test("Dropout changes training and never prediction; a stateless network forgets between batches")
    func semantics() throws {
        let plain = TrainingSettings(profile: .keras3, units: 2, batchSize: 4, epochs: 6)
        var dropped = plain
        dropped.dropout = 0.5
        let trainer = try Trainer(series: .shampooSales(), training: plain)
        let task = { (training: TrainingSettings) in
            ExperimentSpec(name: "s", preset: "custom", seed: 3, repeats: 1, training: training, configurations: [.baseline]).runs[0]
        }
        let a = try trainer.train(task(plain)), b = try trainer.train(task(dropped))
        #expect(a.initialParameters == b.initialParameters || a.task.runSeed != b.task.runSeed)
        #expect(a.curve.last!.loss != b.curve.last!.loss)
        // Prediction applies no mask: the trained weights predict the same through a network with or without dropout.
        let withMasks = LSTMNetwork<Double>(settings: task(dropped).configuration.networkSettings, parameters: b.finalParameters)
        let without = LSTMNetwork<Double>(settings: task(plain).configuration.networkSettings, parameters: b.finalParameters)
        let rows = trainer.dataset.test
        #expect(withMasks.predictFromReset(inputs: rows.inputs, rowCount: rows.count)
                == without.predictFromReset(inputs: rows.inputs, rowCount: rows.count))
        // Stateless: each call starts from zero, so predicting rows one call at a time equals predicting each alone.
        var stateless = plain
        stateless.stateful = false
        let network = LSTMNetwork<Double>(settings: task(stateless).configuration.networkSettings, parameters: a.finalParameters)
        let together = network.predictFromReset(inputs: rows.inputs, rowCount: rows.count, rowsPerCall: 1)
        let alone = (0..<rows.count).map { network.predictFromReset(inputs: [rows.inputs[$0]], rowCount: 1)[0] }
        #expect(together == alone)
        let stateful = LSTMNetwork<Double>(settings: task(plain).configuration.networkSettings, parameters: a.finalParameters)
        #expect(stateful.predictFromReset(inputs: rows.inputs, rowCount: rows.count, rowsPerCall: 1) != alone)
    }

    @Test("Walk-forward with a seeded state: the score is the test RMSE of the training rows' state carried on, row by row")
    func walkForwardSeeded() throws {
        var training = TrainingSettings(profile: .keras2, units: 2, batchSize: 4, epochs: 5)
        training.forecast = .walkForward
        training.seedState = true
        let trainer = try Trainer(series: .shampooSales(), training: training)
        let task = ExperimentSpec(name: "w", preset: "custom", seed: 8, repeats: 1, training: training, configurations: [.baseline]).runs[0]
        let result = try trainer.train(task)
        let network = LSTMNetwork<Double>(settings: task.configuration.networkSettings, parameters: result.finalParameters)
        let data = trainer.dataset
        let all = network.predictFromReset(inputs: data.train.inputs + data.test.inputs, rowCount: data.train.count + data.test.count,
                                           rowsPerCall: 1)
        let forecasts = data.forecasts(Array(all.suffix(data.test.count)), for: data.test)
        #expect(forecasts.map(\.bitPattern) == result.testForecasts.map(\.bitPattern))
        #expect(rootMeanSquaredError(forecasts, data.test.observed).bitPattern == result.curve.last!.testRMSE.bitPattern)
    }

    @Test("train-rows, skip-rows and zero-pad frame the listings' training sets; too few rows is one clear error")
    func framing() throws {
        let shampoo = Series.shampooSales()
        let full = try SupervisedDataset(series: shampoo, options: FramingOptions(lag: 1, testSize: 12, batchSize: 1))
        #expect(full.train.count == 22)
        // The batch-12 variant: the last 12 training rows, the scaler fitted on them alone.
        let last12 = try SupervisedDataset(series: shampoo, options: FramingOptions(lag: 1, testSize: 12, batchSize: 12, trainRows: 12))
        #expect(last12.train.count == 12 && last12.train.observed == Array(full.train.observed.suffix(12)))
        let differences = (1..<shampoo.values.count).map { shampoo.values[$0] - shampoo.values[$0 - 1] }
        let rows = (1..<differences.count).map { [differences[$0 - 1], differences[$0]] }
        #expect(last12.scaler == MinMaxScaler(fittingRows: Array(rows[10..<22])))
        #expect(last12.scaler != full.scaler && last12.test.observed == full.test.observed)
        // The tuning study's train_scaled[2:] at batch 1: 20 rows, scaled as all 22.
        let skipped = try SupervisedDataset(series: shampoo, options: FramingOptions(lag: 1, testSize: 12, batchSize: 1, skipRows: 2))
        #expect(skipped.train.targets == Array(full.train.targets.dropFirst(2)) && skipped.scaler == full.scaler)
        // The original tutorial's fillna(0): 23 training rows, the first with input 0 (scaled), the same test rows.
        let padded = try SupervisedDataset(series: shampoo, options: FramingOptions(lag: 1, testSize: 12, batchSize: 1, zeroPad: true))
        #expect(padded.train.count == 23 && padded.test.observed == full.test.observed)
        #expect(padded.train.inputs[0] == padded.scaler.scale(0, column: 0))
        #expect(padded.train.observed[0] == shampoo.values[1] && padded.train.previousObservations[0] == shampoo.values[0])
        #expect(throws: TimeSeriesError.self) {
            try SupervisedDataset(series: shampoo, options: FramingOptions(lag: 1, testSize: 12, batchSize: 4, trainRows: 3))
        }
        #expect(throws: TimeSeriesError.self) {
            try SupervisedDataset(series: shampoo, options: FramingOptions(lag: 1, testSize: 12, batchSize: 4, skipRows: 20))
        }
    }
}

/// The family's settings on the command line: shown, recreated, and refused in one line.
@Suite("The study family on the command line")
struct FamilyCommandLineTests {
    @Test("show names every family setting, and its recreate command trains the same experiment (diff identical)")
    func recreate() throws {
        let folder = try TestSupport.temporaryDirectory()
        let original = folder.appendingPathComponent("a.sqlite").path, again = folder.appendingPathComponent("b.sqlite").path
        let options = ["--repeats", "1", "--epochs", "3", "--train-rows", "8", "--skip-rows", "1", "--stateful", "false",
                       "--shuffle", "true", "--dropout", "0.25", "--forecast", "walk-forward", "--seed-state", "true",
                       "--lag", "2", "--lag-as", "timesteps", "--zero-pad", "true", "--batch", "2", "--quiet"]
        let run = try TestSupport.runLSTMLab(["run", "baseline"] + options + ["--archive", original])
        #expect(run.status == 0, "\(run.stderr)")
        let show = try TestSupport.runLSTMLab(["show", "1", "--archive", original])
        #expect(show.status == 0)
        for part in ["dropout 0.25", "stateful false", "shuffle true", "forecast walk-forward", "seed-state true",
                     "lag-as timesteps", "train-rows 8", "skip-rows 1", "zero-pad true"] {
            #expect(show.stdout.contains(part), "show lacks \(part): \(show.stdout)")
        }
        let line = try #require(show.stdout.split(separator: "\n").first { $0.hasPrefix("recreate") })
        var words = line.split(separator: " ").dropFirst().map(String.init)
        #expect(words.first == "lstmlab")
        words.removeFirst()
        let recreated = try TestSupport.runLSTMLab(words + ["--archive", again, "--quiet"])
        #expect(recreated.status == 0, "\(recreated.stderr)")
        let diff = try TestSupport.runLSTMLab(["diff", original, again])
        #expect(diff.status == 0, "\(diff.stdout)\(diff.stderr)")
    }

    @Test("study --epochs N scales each family study's epoch counts so its longest runs train N, every count distinct")
    func studyEpochsScale() throws {
        func epochs(_ preset: Preset, _ longest: Int) -> [Int] {
            var plan = StudyPlan(profiles: [.keras3], presets: [preset])
            plan.familyEpochs = longest
            return plan.specs[0].trainingSettings.map(\.epochs)
        }
        #expect(epochs(.epochs, 6000) == [500, 1000, 2000, 4000, 6000])
        #expect(epochs(.epochs, 12) == [1, 2, 4, 8, 12])
        #expect(epochs(.epochs, 3) == [1, 2, 3, 4, 5])
        #expect(epochs(.features, 10) == [5, 5, 5, 5, 5, 5, 5, 5, 5, 10, 10, 10, 10, 10])
        #expect(epochs(.features, 1) == [1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2])
        for longest in [1, 2, 7] {
            var plan = StudyPlan(presets: Preset.allCases)
            plan.familyEpochs = longest
            for spec in plan.specs {
                #expect(throws: Never.self, "\(spec.name) with --epochs \(longest)") { try spec.validate() }
                if Preset(rawValue: spec.preset)?.isFamily == true {
                    #expect(spec.trainingSettings.map(\.epochs).max()! <= longest + 4, "\(spec.name)")
                }
            }
        }
        // On the command line, in a one-letter notebooks folder: the quick look at two studies runs and writes both.
        let study = try TestSupport.runLSTMLab(["study", "--presets", "epochs,features", "--profiles", "keras3", "--epochs", "3",
                                                "--repeats", "1", "--archive", "a.sqlite", "--notebooks", "N"])
        #expect(study.status == 0, "\(study.stderr)")
        let both = try TestSupport.runLSTMLab(["study", "--family", "--presets", "epochs"])
        #expect(both.status == 1 && both.stderr.contains("--family and --presets cannot be given together"), "\(both.stderr)")
        let zero = try TestSupport.runLSTMLab(["study", "--family", "--epochs", "0"])
        #expect(zero.status == 1 && zero.stderr.contains("epochs must be from 1"), "\(zero.stderr)")
    }

    @Test("bad family values: one line naming the setting, exit 1, nothing archived")
    func badValues() throws {
        let folder = try TestSupport.temporaryDirectory()
        let cases: [([String], String)] = [
            (["--dropout", "-0.1"], "dropout must be from 0 to below 1"),
            (["--recurrent-dropout", "1"], "recurrent dropout must be from 0 to below 1"),
            (["--train-rows", "1000"], "train rows"),
            (["--skip-rows", "100"], "skip rows"),
            (["--train-rows", "-1"], "train rows"),
        ]
        for (index, (arguments, message)) in cases.enumerated() {
            let archive = folder.appendingPathComponent("\(index).sqlite").path
            let result = try TestSupport.runLSTMLab(["run", "baseline", "--repeats", "1", "--epochs", "2"] + arguments + ["--archive", archive])
            #expect(result.status == 1, "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: archive), "\(arguments) archived")
        }
        // Zero padding frames the first months too: a lag as long as the training set is possible.
        let padded = folder.appendingPathComponent("padded.sqlite").path
        let result = try TestSupport.runLSTMLab(["run", "baseline", "--repeats", "1", "--epochs", "2", "--lag", "20",
                                                 "--zero-pad", "true", "--quiet", "--archive", padded])
        #expect(result.status == 0, "\(result.stderr)")
    }
}
