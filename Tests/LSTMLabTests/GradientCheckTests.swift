import Foundation
import NeuralNetwork
import Testing

// Finite-difference checks of `LSTMNetwork.lossAndGradient` for every parameter, and an independent recomputation
// of the loss itself (a plain forward pass written here from SPEC §3, with Foundation's exp and tanh).

/// Which penalties a gradient case applies.
enum PenaltyCase: String, CaseIterable, Sendable {
    case none, kernel, recurrentKernel, bias, activityDivided, activityWhole, allDivided, allWhole

    /// Coefficients chosen distinct and nonzero so that every term is visible in the loss and the gradient.
    var regularization: Regularization {
        let kernel = L1L2(l1: 0.013, l2: 0.021)
        let recurrent = L1L2(l1: 0.017, l2: 0.011)
        let bias = L1L2(l1: 0.019, l2: 0.023)
        let activity = L1L2(l1: 0.029, l2: 0.031)
        switch self {
        case .none: return .none
        case .kernel: return Regularization(kernel: kernel)
        case .recurrentKernel: return Regularization(recurrentKernel: recurrent)
        case .bias: return Regularization(bias: bias)
        case .activityDivided, .activityWhole: return Regularization(activity: activity)
        case .allDivided, .allWhole:
            return Regularization(kernel: kernel, recurrentKernel: recurrent, bias: bias, activity: activity)
        }
    }

    var activityDividedByBatch: Bool { self == .activityDivided || self == .allDivided }
}

struct GradientCase: Sendable, CustomTestStringConvertible {
    var activation: RecurrentActivation
    var penalty: PenaltyCase
    var lag: Int
    var units: Int
    var testDescription: String { "\(activation.rawValue) \(penalty.rawValue) lag \(lag) units \(units)" }

    static let all: [GradientCase] = RecurrentActivation.allCases.flatMap { activation in
        PenaltyCase.allCases.flatMap { penalty in
            [1, 2].flatMap { lag in [2, 3].map { GradientCase(activation: activation, penalty: penalty, lag: lag, units: $0) } }
        }
    }
}

/// An independent forward pass of the LSTM(u) → Dense(1) network for one timestep, straight from SPEC §3.
struct ReferenceNetwork {
    var lag: Int
    var units: Int
    var activation: RecurrentActivation
    var parameters: [Double]

    var gateWidth: Int { 4 * units }
    var kernelOffset: Int { 0 }
    var recurrentOffset: Int { lag * gateWidth }
    var biasOffset: Int { (lag + units) * gateWidth }
    var denseKernelOffset: Int { (lag + units + 1) * gateWidth }
    var denseBiasOffset: Int { (lag + units + 1) * gateWidth + units }
    var parameterCount: Int { denseBiasOffset + 1 }

    func sigma(_ z: Double) -> Double {
        switch activation {
        case .sigmoid: return 1 / (1 + Foundation.exp(-z))
        case .hardSigmoid: return Swift.min(Swift.max(0.2 * z + 0.5, 0), 1)
        }
    }

    /// Pre-activations z [4u] (gate order i, f, c, o), then h', c' and y.
    func step(x: [Double], h: [Double], c: [Double]) -> (z: [Double], hNew: [Double], cNew: [Double], y: Double) {
        var z = [Double](repeating: 0, count: gateWidth)
        for j in 0..<gateWidth {
            var sum = parameters[biasOffset + j]
            for k in 0..<lag { sum += x[k] * parameters[kernelOffset + k * gateWidth + j] }
            for k in 0..<units { sum += h[k] * parameters[recurrentOffset + k * gateWidth + j] }
            z[j] = sum
        }
        var hNew = [Double](repeating: 0, count: units), cNew = hNew
        for k in 0..<units {
            let i = sigma(z[k]), f = sigma(z[units + k]), g = Foundation.tanh(z[2 * units + k]), o = sigma(z[3 * units + k])
            cNew[k] = f * c[k] + i * g
            hNew[k] = o * Foundation.tanh(cNew[k])
        }
        var y = parameters[denseBiasOffset]
        for k in 0..<units { y += hNew[k] * parameters[denseKernelOffset + k] }
        return (z, hNew, cNew, y)
    }

    static func l1l2(_ penalty: L1L2, _ values: ArraySlice<Double>) -> Double {
        penalty.l1 * values.reduce(0) { $0 + Swift.abs($1) } + penalty.l2 * values.reduce(0) { $0 + $1 * $1 }
    }

    /// MSE over the batch plus every penalty, as SPEC §3 states it.
    func loss(inputs: [Double], targets: [Double], hidden: [Double], cell: [Double],
              regularization: Regularization, activityDividedByBatch: Bool) -> Double {
        let n = targets.count
        var squaredError = 0.0
        var activity = 0.0
        for slot in 0..<n {
            let result = step(x: Array(inputs[(slot * lag)..<((slot + 1) * lag)]),
                              h: Array(hidden[(slot * units)..<((slot + 1) * units)]),
                              c: Array(cell[(slot * units)..<((slot + 1) * units)]))
            squaredError += (result.y - targets[slot]) * (result.y - targets[slot])
            activity += Self.l1l2(regularization.activity, result.hNew[...])
        }
        var loss = squaredError / Double(n)
        loss += (activityDividedByBatch ? 1 / Double(n) : 1) * activity
        loss += Self.l1l2(regularization.kernel, parameters[kernelOffset..<recurrentOffset])
        loss += Self.l1l2(regularization.recurrentKernel, parameters[recurrentOffset..<biasOffset])
        loss += Self.l1l2(regularization.bias, parameters[biasOffset..<denseKernelOffset])
        return loss
    }

    /// Every σ-gate pre-activation (i, f, o) of every slot, and every h' value.
    func gatePreActivationsAndOutputs(inputs: [Double], hidden: [Double], cell: [Double], count: Int)
        -> (sigmaGates: [Double], outputs: [Double], perSlotZ: [[Double]])
    {
        var gates: [Double] = [], outputs: [Double] = [], perSlot: [[Double]] = []
        for slot in 0..<count {
            let result = step(x: Array(inputs[(slot * lag)..<((slot + 1) * lag)]),
                              h: Array(hidden[(slot * units)..<((slot + 1) * units)]),
                              c: Array(cell[(slot * units)..<((slot + 1) * units)]))
            for j in 0..<gateWidth where !(2 * units..<3 * units).contains(j) { gates.append(result.z[j]) }
            outputs += result.hNew
            perSlot.append(result.z)
        }
        return (gates, outputs, perSlot)
    }
}

/// A random problem for one gradient case: parameters away from 0 (for the L1 terms), inputs, targets and a nonzero
/// carried state.
struct GradientProblem {
    var parameters: [Double]
    var inputs: [Double]
    var targets: [Double]
    var hidden: [Double]
    var cell: [Double]

    init(lag: Int, units: Int, batchSize: Int, count: Int, seed: UInt64) {
        var random = RandomSource(seed: seed)
        let parameterCount = 4 * units * (lag + units + 1) + units + 1
        // |w| in [0.05, 0.65): far from 0 compared with the finite-difference step.
        parameters = (0..<parameterCount).map { _ in
            let magnitude = 0.05 + 0.6 * random.nextUnit()
            return random.nextUnit() < 0.5 ? -magnitude : magnitude
        }
        inputs = (0..<(count * lag)).map { _ in random.nextUniform(-1, 1) }
        targets = (0..<count).map { _ in random.nextUniform(-1, 1) }
        hidden = (0..<(batchSize * units)).map { _ in random.nextUniform(-0.6, 0.6) }
        cell = (0..<(batchSize * units)).map { _ in random.nextUniform(-1.5, 1.5) }
    }
}

/// Loss and analytic gradient from the network under test, at `parameters`, from the carried state of `problem`.
func networkLossAndGradient(_ network: LSTMNetwork<Double>, _ problem: GradientProblem, parameters: [Double],
                                    count: Int) -> (loss: Double, gradient: [Double]) {
    network.setParameters(parameters)
    network.setState(hidden: problem.hidden, cell: problem.cell)
    let loss = problem.inputs.withUnsafeBufferPointer { inputs in
        problem.targets.withUnsafeBufferPointer { targets in
            network.lossAndGradient(inputs: inputs.baseAddress!, targets: targets.baseAddress!, count: count)
        }
    }
    return (loss, network.gradientValues())
}

/// Checks every parameter's analytic gradient against central differences; returns the worst relative error.
func checkGradient(settings: NetworkSettings, problem: GradientProblem, count: Int,
                   sourceLocation: SourceLocation = #_sourceLocation) -> Double {
    checkGradient(network: LSTMNetwork<Double>(settings: settings, parameters: problem.parameters), problem: problem,
                  count: count, sourceLocation: sourceLocation)
}

/// `checkGradient(settings:…)` on a network already made (e.g. with masks set).
func checkGradient(network: LSTMNetwork<Double>, problem: GradientProblem, count: Int,
                   sourceLocation: SourceLocation = #_sourceLocation) -> Double {
    let (loss, analytic) = networkLossAndGradient(network, problem, parameters: problem.parameters, count: count)
    // lossAndGradient leaves parameters and carried state alone: a second call gives the same bits.
    let (again, _) = networkLossAndGradient(network, problem, parameters: problem.parameters, count: count)
    #expect(loss.bitPattern == again.bitPattern, sourceLocation: sourceLocation)
    #expect(network.parameterValues() == problem.parameters, sourceLocation: sourceLocation)
    #expect(analytic.count == problem.parameters.count, sourceLocation: sourceLocation)
    #expect(analytic.contains { $0 != 0 }, sourceLocation: sourceLocation)

    let step = 1e-5
    var worst = 0.0
    for index in problem.parameters.indices {
        var plus = problem.parameters, minus = problem.parameters
        plus[index] += step
        minus[index] -= step
        let lossPlus = networkLossAndGradient(network, problem, parameters: plus, count: count).loss
        let lossMinus = networkLossAndGradient(network, problem, parameters: minus, count: count).loss
        let numeric = (lossPlus - lossMinus) / (2 * step)
        let scale = max(abs(numeric), abs(analytic[index]), 1e-3)
        let relative = abs(numeric - analytic[index]) / scale
        worst = max(worst, relative)
        #expect(relative <= 1e-6,
                "parameter \(index): analytic \(analytic[index]) vs central difference \(numeric)",
                sourceLocation: sourceLocation)
    }
    return worst
}

/// The distance of the nearest σ-gate pre-activation to the hard sigmoid's kinks at ±2.5.
private func kinkMargin(_ gates: [Double]) -> Double {
    gates.map { min(abs($0 - 2.5), abs($0 + 2.5)) }.min() ?? .infinity
}

@Suite("Finite-difference gradient checks of LSTMNetwork.lossAndGradient")
struct GradientCheckTests {
    static let batchSize = 4

    /// Draws problems until one is well away from the hard sigmoid's kinks and (for activity L1) from h' = 0.
    static func wellConditionedProblem(_ testCase: GradientCase, count: Int) throws -> GradientProblem {
        for attempt in 0..<200 {
            let seed = UInt64(1000 * testCase.lag + 100 * testCase.units + attempt)
            let problem = GradientProblem(lag: testCase.lag, units: testCase.units, batchSize: batchSize, count: count,
                                          seed: seed)
            let reference = ReferenceNetwork(lag: testCase.lag, units: testCase.units, activation: testCase.activation,
                                             parameters: problem.parameters)
            let (gates, outputs, _) = reference.gatePreActivationsAndOutputs(
                inputs: problem.inputs, hidden: problem.hidden, cell: problem.cell, count: count)
            let farFromKinks = testCase.activation == .sigmoid || kinkMargin(gates) > 1e-3
            let farFromZeroOutput = outputs.allSatisfy { abs($0) > 1e-3 }
            if farFromKinks && farFromZeroOutput { return problem }
        }
        Issue.record("no well-conditioned problem found for \(testCase.testDescription)")
        throw CancellationError()
    }

    static func settings(_ testCase: GradientCase, regularization: Regularization? = nil) -> NetworkSettings {
        NetworkSettings(
            shape: NetworkShape(lag: testCase.lag, units: testCase.units), recurrentActivation: testCase.activation,
            adam: AdamSettings(epsilon: 1e-7), regularization: regularization ?? testCase.penalty.regularization,
            activityPenaltyDividedByBatch: testCase.penalty.activityDividedByBatch, batchSize: batchSize)
    }

    @Test("Every parameter's gradient matches central differences", arguments: GradientCase.all)
    func gradientMatchesFiniteDifferences(_ testCase: GradientCase) throws {
        let problem = try Self.wellConditionedProblem(testCase, count: Self.batchSize)
        let settings = Self.settings(testCase)
        let worst = checkGradient(settings: settings, problem: problem, count: Self.batchSize)
        #expect(worst <= 1e-6)
    }

    @Test("A partial batch (3 of 4 slots) divides the MSE and the activity penalty by 3",
          arguments: [RecurrentActivation.sigmoid, .hardSigmoid], [PenaltyCase.allDivided, .allWhole])
    func partialBatch(activation: RecurrentActivation, penalty: PenaltyCase) throws {
        let testCase = GradientCase(activation: activation, penalty: penalty, lag: 2, units: 3)
        let problem = try Self.wellConditionedProblem(testCase, count: 3)
        let settings = Self.settings(testCase)
        #expect(checkGradient(settings: settings, problem: problem, count: 3) <= 1e-6)
        let network = LSTMNetwork<Double>(settings: settings, parameters: problem.parameters)
        let loss = networkLossAndGradient(network, problem, parameters: problem.parameters, count: 3).loss
        let reference = ReferenceNetwork(lag: 2, units: 3, activation: activation, parameters: problem.parameters)
        let expected = reference.loss(inputs: problem.inputs, targets: problem.targets, hidden: problem.hidden,
                                      cell: problem.cell, regularization: settings.regularization,
                                      activityDividedByBatch: penalty.activityDividedByBatch)
        #expect(abs(loss - expected) <= 1e-12 * max(1, abs(expected)))
    }

    @Test("The loss equals an independent recomputation: MSE plus every penalty", arguments: GradientCase.all)
    func lossMatchesIndependentRecomputation(_ testCase: GradientCase) throws {
        let problem = try Self.wellConditionedProblem(testCase, count: Self.batchSize)
        let settings = Self.settings(testCase)
        let network = LSTMNetwork<Double>(settings: settings, parameters: problem.parameters)
        let loss = networkLossAndGradient(network, problem, parameters: problem.parameters, count: Self.batchSize).loss
        let reference = ReferenceNetwork(lag: testCase.lag, units: testCase.units, activation: testCase.activation,
                                         parameters: problem.parameters)
        let expected = reference.loss(inputs: problem.inputs, targets: problem.targets, hidden: problem.hidden,
                                      cell: problem.cell, regularization: settings.regularization,
                                      activityDividedByBatch: testCase.penalty.activityDividedByBatch)
        #expect(abs(loss - expected) <= 1e-12 * max(1, abs(expected)), "loss \(loss) vs recomputed \(expected)")
        // And the penalty really is part of it: the same problem without penalties has a smaller loss.
        if testCase.penalty != .none {
            let plain = reference.loss(inputs: problem.inputs, targets: problem.targets, hidden: problem.hidden,
                                       cell: problem.cell, regularization: .none, activityDividedByBatch: true)
            #expect(loss > plain + 1e-4)
        }
    }

    @Test("Activity penalty divided by the batch size is exactly (1/n) of the undivided one")
    func activityDivision() throws {
        let divided = GradientCase(activation: .sigmoid, penalty: .activityDivided, lag: 1, units: 3)
        let whole = GradientCase(activation: .sigmoid, penalty: .activityWhole, lag: 1, units: 3)
        let problem = try Self.wellConditionedProblem(divided, count: Self.batchSize)
        let noPenalty = GradientCase(activation: .sigmoid, penalty: .none, lag: 1, units: 3)
        func loss(_ testCase: GradientCase) -> Double {
            let network = LSTMNetwork<Double>(settings: Self.settings(testCase), parameters: problem.parameters)
            return networkLossAndGradient(network, problem, parameters: problem.parameters, count: Self.batchSize).loss
        }
        let base = loss(noPenalty)
        let penaltyWhole = loss(whole) - base
        let penaltyDivided = loss(divided) - base
        #expect(penaltyWhole > 0)
        #expect(abs(penaltyDivided * Double(Self.batchSize) - penaltyWhole) <= 1e-12)
    }

    @Test("Hard sigmoid with saturated gates: zero derivative through them, gradients still match",
          arguments: [1, 2], [2, 3])
    func saturatedHardSigmoid(lag: Int, units: Int) throws {
        for penalty in [PenaltyCase.none, .allDivided] {
            let testCase = GradientCase(activation: .hardSigmoid, penalty: penalty, lag: lag, units: units)
            var problem = GradientProblem(lag: lag, units: units, batchSize: Self.batchSize, count: Self.batchSize,
                                          seed: UInt64(77 + lag * 10 + units))
            let reference0 = ReferenceNetwork(lag: lag, units: units, activation: .hardSigmoid, parameters: problem.parameters)
            // Saturate the forget gate of unit 0 high (f = 1) and the input gate of unit 1 low (i = 0).
            let forgetIndex = reference0.biasOffset + units + 0
            let inputIndex = reference0.biasOffset + 1
            problem.parameters[forgetIndex] = 8
            problem.parameters[inputIndex] = -8
            // Keep the other gates away from the kinks by nudging their biases until the margin is comfortable.
            var reference = ReferenceNetwork(lag: lag, units: units, activation: .hardSigmoid,
                                             parameters: problem.parameters)
            var attempt = 0
            while kinkMargin(reference.gatePreActivationsAndOutputs(
                inputs: problem.inputs, hidden: problem.hidden, cell: problem.cell, count: Self.batchSize).sigmaGates) <= 1e-3,
                attempt < 50
            {
                for j in 0..<(4 * units) where ![forgetIndex, inputIndex].contains(reference.biasOffset + j) {
                    problem.parameters[reference.biasOffset + j] *= 0.9
                }
                reference.parameters = problem.parameters
                attempt += 1
            }
            let (gates, outputs, perSlotZ) = reference.gatePreActivationsAndOutputs(
                inputs: problem.inputs, hidden: problem.hidden, cell: problem.cell, count: Self.batchSize)
            try #require(kinkMargin(gates) > 1e-3)
            try #require(outputs.allSatisfy { abs($0) > 1e-3 })
            // The two gates are saturated in every slot.
            for z in perSlotZ {
                try #require(z[units] > 2.5)
                try #require(z[1] < -2.5)
            }

            let settings = Self.settings(testCase)
            #expect(checkGradient(settings: settings, problem: problem, count: Self.batchSize) <= 1e-6)

            // Through a saturated gate the loss gradient is 0, so the bias gradient is only the bias penalty's.
            let network = LSTMNetwork<Double>(settings: settings, parameters: problem.parameters)
            let gradient = networkLossAndGradient(network, problem, parameters: problem.parameters,
                                                  count: Self.batchSize).gradient
            let biasPenalty = settings.regularization.bias
            for index in [forgetIndex, inputIndex] {
                let w = problem.parameters[index]
                let penaltyGradient = biasPenalty.l1 * (w > 0 ? 1 : -1) + 2 * biasPenalty.l2 * w
                #expect(gradient[index] == (biasPenalty.isZero ? 0 : penaltyGradient))
                // The kernel column of the saturated gate gets no data gradient either.
                for k in 0..<lag {
                    let kernelIndex = reference.kernelOffset + k * 4 * units + (index - reference.biasOffset)
                    let kernelPenalty = settings.regularization.kernel
                    let wk = problem.parameters[kernelIndex]
                    let expected = kernelPenalty.isZero ? 0 : kernelPenalty.l1 * (wk > 0 ? 1 : -1) + 2 * kernelPenalty.l2 * wk
                    #expect(abs(gradient[kernelIndex] - expected) <= 1e-15)
                }
            }
        }
    }

    @Test("The recurrent activations: values and derivatives against their definitions")
    func activationDefinitions() {
        for x in stride(from: -6.0, through: 6.0, by: 0.37) {
            let logistic = 1 / (1 + Foundation.exp(-x))
            let (value, derivative) = laneLogisticSigmoid(x)
            #expect(abs(value - logistic) <= 1e-15)
            #expect(abs(derivative - logistic * (1 - logistic)) <= 1e-15)
            let (hard, hardDerivative) = laneHardSigmoid(x)
            #expect(hard == min(max(0.2 * x + 0.5, 0), 1))
            #expect(hardDerivative == (abs(x) < 2.5 ? 0.2 : 0))
        }
        // At and beyond the kinks the hard sigmoid is flat.
        let upper = laneHardSigmoid(2.5)
        let lower = laneHardSigmoid(-2.5)
        #expect(upper.value == 1 && upper.derivative == 0)
        #expect(lower.value == 0 && lower.derivative == 0)
    }
}
