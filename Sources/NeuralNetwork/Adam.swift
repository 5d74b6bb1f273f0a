/// Adam's hyper-parameters.
public struct AdamSettings: Sendable, Equatable, Hashable, Codable {
    public var learningRate: Double
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double

    public init(learningRate: Double = 0.001, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }
}

/// Adam's state over one flat parameter buffer, updated exactly as Keras 3 writes it (step t from 1):
/// `m ← m + (g − m)(1 − β1)`, `v ← v + (g² − v)(1 − β2)`, `α = lr·√(1 − β2ᵗ)/(1 − β1ᵗ)`,
/// `W ← W − (m·α)/(√v + ε)`.
public struct AdamState: Sendable, Equatable, Codable {
    public var firstMoment: [Double]
    public var secondMoment: [Double]
    /// Number of updates applied so far.
    public var step: Int

    public init(parameterCount: Int) {
        firstMoment = Array(repeating: 0, count: parameterCount)
        secondMoment = Array(repeating: 0, count: parameterCount)
        step = 0
    }
}

extension AdamSettings {
    /// The step size of update t (from 1): `α = lr·√(1 − β2ᵗ)/(1 − β1ᵗ)`, the powers correctly rounded by
    /// `ieeePowInteger`.
    public func stepSize(at step: Int) -> Double {
        learningRate * (1 - ieeePowInteger(beta2, step)).squareRoot() / (1 - ieeePowInteger(beta1, step))
    }

    /// The step sizes of updates 1…count, computed once and shared by every run with these settings (the same
    /// values `stepSize(at:)` gives, without two `pow` calls per update).
    public func stepSizes(count: Int) -> [Double] {
        (0..<count).map { stepSize(at: $0 + 1) }
    }
}

/// One Adam update of `count` parameters (every lane) from their gradients with each lane's step size `alpha`, the
/// optimizer's single loop over the flat buffers: `m ← m + (g − m)(1 − β1)`, `v ← v + (g² − v)(1 − β2)`,
/// `W ← W − (m·α)/(√v + ε)`.
@inlinable @inline(__always)
func adamUpdate<V: LaneReal>(
    parameters: UnsafeMutablePointer<V>, gradients: UnsafePointer<V>,
    firstMoment m: UnsafeMutablePointer<V>, secondMoment v: UnsafeMutablePointer<V>,
    count: Int, alpha step: V, settings: AdamSettings
) {
    let oneMinusBeta1 = V(broadcast: 1 - settings.beta1), oneMinusBeta2 = V(broadcast: 1 - settings.beta2)
    let epsilon = V(broadcast: settings.epsilon)
    for index in 0..<count {
        let g = gradients[index]
        let firstMoment = m[index] + (g - m[index]) * oneMinusBeta1
        let secondMoment = v[index] + (g * g - v[index]) * oneMinusBeta2
        m[index] = firstMoment
        v[index] = secondMoment
        parameters[index] = parameters[index] - (firstMoment * step) / (secondMoment.squareRoot() + epsilon)
    }
}
