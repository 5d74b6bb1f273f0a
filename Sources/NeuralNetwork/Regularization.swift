/// Keras's `L1L2(l1, l2)` penalty on a tensor W: `l1·Σ|W| + l2·ΣW²`, gradient `l1·sign(W) + 2·l2·W`
/// with sign(0) = 0. Both coefficients are ≥ 0.
public struct L1L2: Sendable, Equatable, Hashable, Codable {
    public var l1: Double
    public var l2: Double

    public init(l1: Double = 0, l2: Double = 0) {
        self.l1 = l1
        self.l2 = l2
    }

    public static let none = L1L2()

    public var isZero: Bool { l1 == 0 && l2 == 0 }

    /// `l1·Σ|w| + l2·Σw²` over `count` values (the absolute and squared sums are accumulated separately, then
    /// combined, as Keras does).
    @inline(__always)
    public func penalty(_ weights: UnsafePointer<Double>, count: Int) -> Double {
        if isZero { return 0 }
        var absoluteSum = 0.0, squaredSum = 0.0
        for index in 0..<count {
            absoluteSum += abs(weights[index])
            squaredSum += weights[index] * weights[index]
        }
        return l1 * absoluteSum + l2 * squaredSum
    }

    /// Adds `scale·(l1·sign(w) + 2·l2·w)` to each gradient.
    @inline(__always)
    public func accumulateGradient(
        _ gradient: UnsafeMutablePointer<Double>, of weights: UnsafePointer<Double>, count: Int, scale: Double = 1
    ) {
        if isZero { return }
        for index in 0..<count {
            let w = weights[index]
            let sign: Double = w > 0 ? 1 : (w < 0 ? -1 : 0)
            gradient[index] += scale * (l1 * sign + 2 * l2 * w)
        }
    }
}

/// Every penalty of one configuration: L1L2 on the three LSTM weight tensors (any combination at once) and,
/// optionally, on the LSTM output h (activity regularization).
public struct Regularization: Sendable, Equatable, Hashable, Codable {
    public var kernel: L1L2
    public var recurrentKernel: L1L2
    public var bias: L1L2
    public var activity: L1L2

    public init(kernel: L1L2 = .none, recurrentKernel: L1L2 = .none, bias: L1L2 = .none, activity: L1L2 = .none) {
        self.kernel = kernel
        self.recurrentKernel = recurrentKernel
        self.bias = bias
        self.activity = activity
    }

    public static let none = Regularization()

    public var isZero: Bool { kernel.isZero && recurrentKernel.isZero && bias.isZero && activity.isZero }
}
