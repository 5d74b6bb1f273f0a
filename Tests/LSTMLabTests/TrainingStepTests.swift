import Foundation
@testable import NeuralNetwork
import Experiment
import Testing

// One training step of LSTMNetwork against SPEC §3 written out independently: the Adam update, the state carried
// between batches, the reset, stateful prediction, and the L1L2 penalty with sign(0) = 0.

private func loss(_ network: LSTMNetwork<Double>, inputs: [Double], targets: [Double]) -> Double {
    inputs.withUnsafeBufferPointer { x in
        targets.withUnsafeBufferPointer { t in
            network.lossAndGradient(inputs: x.baseAddress!, targets: t.baseAddress!, count: targets.count)
        }
    }
}

private func train(_ network: LSTMNetwork<Double>, inputs: [Double], targets: [Double]) -> Double {
    inputs.withUnsafeBufferPointer { x in
        targets.withUnsafeBufferPointer { t in
            network.trainBatch(inputs: x.baseAddress!, targets: t.baseAddress!, count: targets.count)
        }
    }
}

@Suite("Training steps: Adam, carried state, reset, prediction, penalties")
struct TrainingStepTests {
    static let lag = 2, units = 3, batch = 4

    static func settings(_ activation: RecurrentActivation, regularization: Regularization = .none,
                         epsilon: Double = 1e-7) -> NetworkSettings {
        NetworkSettings(shape: NetworkShape(lag: lag, units: units), recurrentActivation: activation,
                        adam: AdamSettings(learningRate: 0.01, epsilon: epsilon), regularization: regularization,
                        activityPenaltyDividedByBatch: true, batchSize: batch)
    }

    /// Two batches of inputs and targets.
    static func data(seed: UInt64) -> (inputs: [[Double]], targets: [[Double]]) {
        var random = RandomSource(seed: seed)
        let inputs = (0..<2).map { _ in (0..<(batch * lag)).map { _ in random.nextUniform(-1, 1) } }
        let targets = (0..<2).map { _ in (0..<batch).map { _ in random.nextUniform(-1, 1) } }
        return (inputs, targets)
    }

    @Test("Two Adam steps follow m ← m + (g − m)(1 − β1), v ← v + (g² − v)(1 − β2), W ← W − α·m/(√v + ε)",
          arguments: [RecurrentActivation.sigmoid, .hardSigmoid])
    func adamSteps(activation: RecurrentActivation) {
        let settings = Self.settings(activation, regularization: Regularization(kernel: L1L2(l1: 0.01, l2: 0.01)))
        var random = RandomSource(seed: 8)
        let initial = KerasInitializers.initialParameters(for: settings.shape, using: &random)
        let network = LSTMNetwork<Double>(settings: settings, parameters: initial)
        let (inputs, targets) = Self.data(seed: 9)
        var weights = initial
        var m = [Double](repeating: 0, count: initial.count), v = m
        let (lr, beta1, beta2, epsilon) = (0.01, 0.9, 0.999, 1e-7)
        for step in 1...2 {
            // The gradient at the current weights and carried state (lossAndGradient changes neither).
            let expectedLoss = loss(network, inputs: inputs[step - 1], targets: targets[step - 1])
            let g = network.gradientValues()
            let reported = train(network, inputs: inputs[step - 1], targets: targets[step - 1])
            #expect(reported == expectedLoss)  // the batch loss is computed before the update
            #expect(network.adamStep == step)
            let t = Double(step)
            let alpha = lr * (1 - pow(beta2, t)).squareRoot() / (1 - pow(beta1, t))
            for index in weights.indices {
                m[index] += (g[index] - m[index]) * (1 - beta1)
                v[index] += (g[index] * g[index] - v[index]) * (1 - beta2)
                weights[index] -= m[index] * alpha / (v[index].squareRoot() + epsilon)
            }
            #expect(largestDifference(network.parameterValues(), weights) <= 1e-15)
            #expect(largestDifference(network.adamState().firstMoment, m) <= 1e-15)
            #expect(largestDifference(network.adamState().secondMoment, v) <= 1e-15)
        }
        // The first step moves every weight with a nonzero gradient by about lr (Adam's normalised step).
        #expect(network.parameterValues() != initial)
    }

    @Test("Sample j of the next batch starts from the final (h, c) of sample j; a reset zeroes the state",
          arguments: [RecurrentActivation.sigmoid, .hardSigmoid])
    func carriedState(activation: RecurrentActivation) throws {
        let settings = Self.settings(activation)
        var random = RandomSource(seed: 21)
        let initial = KerasInitializers.initialParameters(for: settings.shape, using: &random)
        let network = LSTMNetwork<Double>(settings: settings, parameters: initial)
        let (inputs, targets) = Self.data(seed: 22)
        let zero = [Double](repeating: 0, count: Self.batch * Self.units)

        // Batch 1 from the zero state, with the weights before the update.
        let before = ReferenceNetwork(lag: Self.lag, units: Self.units, activation: activation, parameters: initial)
        var hidden: [Double] = [], cell: [Double] = []
        for slot in 0..<Self.batch {
            let step = before.step(x: Array(inputs[0][(slot * Self.lag)..<((slot + 1) * Self.lag)]),
                                   h: [Double](repeating: 0, count: Self.units), c: [Double](repeating: 0, count: Self.units))
            hidden += step.hNew
            cell += step.cNew
        }
        _ = train(network, inputs: inputs[0], targets: targets[0])

        // Batch 2's loss: the updated weights from the carried state.
        let after = ReferenceNetwork(lag: Self.lag, units: Self.units, activation: activation,
                                     parameters: network.parameterValues())
        let carriedLoss = loss(network, inputs: inputs[1], targets: targets[1])
        let expectedCarried = after.loss(inputs: inputs[1], targets: targets[1], hidden: hidden, cell: cell,
                                         regularization: .none, activityDividedByBatch: true)
        #expect(abs(carriedLoss - expectedCarried) <= 1e-12)
        let fromZero = after.loss(inputs: inputs[1], targets: targets[1], hidden: zero, cell: zero,
                                  regularization: .none, activityDividedByBatch: true)
        #expect(abs(carriedLoss - fromZero) > 1e-6)  // the carried state matters

        network.resetState()
        #expect(abs(loss(network, inputs: inputs[1], targets: targets[1]) - fromZero) <= 1e-12)
    }

    @Test("trainEpoch: the epoch loss is the mean of the batch losses, and the state is reset after")
    func epochLoss() {
        let settings = Self.settings(.sigmoid)
        var random = RandomSource(seed: 31)
        let initial = KerasInitializers.initialParameters(for: settings.shape, using: &random)
        let (inputs, targets) = Self.data(seed: 32)
        let allInputs = inputs[0] + inputs[1], allTargets = targets[0] + targets[1]

        let byBatch = LSTMNetwork<Double>(settings: settings, parameters: initial)
        let first = train(byBatch, inputs: inputs[0], targets: targets[0])
        let second = train(byBatch, inputs: inputs[1], targets: targets[1])

        let byEpoch = LSTMNetwork<Double>(settings: settings, parameters: initial)
        let epoch = allInputs.withUnsafeBufferPointer { x in
            allTargets.withUnsafeBufferPointer { t in
                byEpoch.trainEpoch(inputs: x.baseAddress!, targets: t.baseAddress!, rowCount: 8)
            }
        }
        #expect(epoch == (first + second) / 2)
        #expect(byEpoch.parameterValues() == byBatch.parameterValues())
        // After the epoch the state is zero: the next loss equals a fresh network's with the same weights.
        let fresh = LSTMNetwork<Double>(settings: settings, parameters: byEpoch.parameterValues())
        #expect(loss(byEpoch, inputs: inputs[0], targets: targets[0]) == loss(fresh, inputs: inputs[0], targets: targets[0]))
    }

    @Test("predictFromReset predicts batch after batch, carrying the state, from a zero state")
    func statefulPrediction() {
        let settings = Self.settings(.hardSigmoid)
        var random = RandomSource(seed: 41)
        let parameters = KerasInitializers.initialParameters(for: settings.shape, using: &random)
        let network = LSTMNetwork<Double>(settings: settings, parameters: parameters)
        var inputs = RandomSource(seed: 42)
        let rows = 10  // two full batches and a partial one
        let x = (0..<(rows * Self.lag)).map { _ in inputs.nextUniform(-1, 1) }
        let predictions = network.predictFromReset(inputs: x, rowCount: rows)

        let reference = ReferenceNetwork(lag: Self.lag, units: Self.units, activation: .hardSigmoid, parameters: parameters)
        var h = [[Double]](repeating: [Double](repeating: 0, count: Self.units), count: Self.batch), c = h
        var expected: [Double] = []
        for row in 0..<rows {
            let slot = row % Self.batch
            let step = reference.step(x: Array(x[(row * Self.lag)..<((row + 1) * Self.lag)]), h: h[slot], c: c[slot])
            expected.append(step.y)
            h[slot] = step.hNew
            c[slot] = step.cNew
        }
        #expect(predictions.count == rows)
        #expect(largestDifference(predictions, expected) <= 1e-12)
        // From a reset state again: the same predictions.
        #expect(network.predictFromReset(inputs: x, rowCount: rows) == predictions)
    }

    @Test("L1L2 penalty and gradient by hand, with sign(0) = 0")
    func l1l2ByHand() {
        let penalty = L1L2(l1: 0.1, l2: 0.2)
        let weights: [Double] = [1, -2, 0, 3]
        // 0.1·(1 + 2 + 0 + 3) + 0.2·(1 + 4 + 0 + 9) = 0.6 + 2.8 = 3.4
        let lanePenalty = LanePenalty<Double>([penalty])
        let value = weights.withUnsafeBufferPointer {
            penaltyForward(lanePenalty, loss: 0.5, weights: $0.baseAddress!, count: 4) - 0.5
        }
        #expect(abs(value - 3.4) <= 1e-15)
        // 0.1·sign(w) + 2·0.2·w: [0.5, −0.9, 0, 1.3]
        var gradient = [Double](repeating: 0, count: 4)
        weights.withUnsafeBufferPointer { w in
            gradient.withUnsafeMutableBufferPointer { g in
                penaltyBackward(lanePenalty, gradient: g.baseAddress!, weights: w.baseAddress!, count: 4)
            }
        }
        // A lane without the penalty is left alone.
        #expect(penaltyForward(LanePenalty<Double>([.none]), loss: 0.5, weights: weights, count: 4) == 0.5)
        #expect(largestDifference(gradient, [0.5, -0.9, 0, 1.3]) <= 1e-15)
        #expect(L1L2.none.isZero && !penalty.isZero)
        #expect(penalty.label == "L1L2(0.10,0.20)")
        #expect(L1L2(l1: 0.001, l2: 0).label == "L1L2(0.001,0.00)")
    }

    @Test("An L1 bias penalty adds l1·sign(b) to the gradient, and nothing where b = 0 (Keras's initial biases)")
    func l1AtZero() {
        let plain = Self.settings(.sigmoid)
        let penalised = Self.settings(.sigmoid, regularization: Regularization(bias: L1L2(l1: 0.05, l2: 0)))
        var random = RandomSource(seed: 51)
        let parameters = KerasInitializers.initialParameters(for: plain.shape, using: &random)
        let layout = ParameterLayout(plain.shape)
        let (inputs, targets) = Self.data(seed: 52)
        let a = LSTMNetwork<Double>(settings: plain, parameters: parameters)
        let b = LSTMNetwork<Double>(settings: penalised, parameters: parameters)
        _ = loss(a, inputs: inputs[0], targets: targets[0])
        _ = loss(b, inputs: inputs[0], targets: targets[0])
        let ga = a.gradientValues(), gb = b.gradientValues()
        for index in layout.bias {
            let bias = parameters[index]
            let expected = bias == 0 ? ga[index] : ga[index] + 0.05 * (bias > 0 ? 1 : -1)
            #expect(gb[index] == expected, "bias \(index - layout.bias.lowerBound) = \(bias)")
        }
        // Only the forget slice is nonzero initially, so exactly `units` entries differ.
        #expect(layout.bias.filter { gb[$0] != ga[$0] }.count == Self.units)
        for index in layout.kernel { #expect(gb[index] == ga[index]) }
    }
}
