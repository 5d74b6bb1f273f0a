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

/// One place's penalty in every lane: each lane's coefficients, and the lanes where they are not both zero. A lane
/// whose penalty is zero has none (Keras adds no regularizer there): its loss and gradients are left untouched.
@frozen public struct LanePenalty<V: LaneReal> {
    public var l1: V
    public var l2: V
    public var active: V.Condition
    /// Whether any lane has this penalty (to skip the place when none has).
    public var anyActive: Bool

    /// - Parameter penalties: one per lane.
    public init(_ penalties: [L1L2]) {
        precondition(penalties.count == V.laneCount, "one penalty per lane")
        var l1 = V(broadcast: 0), l2 = V(broadcast: 0), flags = V(broadcast: 0)
        for (lane, penalty) in penalties.enumerated() {
            l1[lane: lane] = penalty.l1
            l2[lane: lane] = penalty.l2
            flags[lane: lane] = penalty.isZero ? 0 : 1
        }
        self.l1 = l1
        self.l2 = l2
        active = V(broadcast: 0).isLess(than: flags)
        anyActive = penalties.contains { !$0.isZero }
    }
}

/// `loss + l1·Σ|w| + l2·Σw²` over `count` values in the lanes that have the penalty, `loss` in the others; the sums
/// are accumulated separately and in order, then combined, as Keras does. `scale` multiplies the penalty (the
/// activity penalty divided by the batch size).
@inlinable @inline(__always)
func penaltyForward<V: LaneReal>(
    _ penalty: LanePenalty<V>, loss: V, weights: UnsafePointer<V>, count: Int, scale: V? = nil
) -> V {
    guard penalty.anyActive else { return loss }
    var absoluteSum = V(broadcast: 0), squaredSum = V(broadcast: 0)
    for index in 0..<count {
        absoluteSum = absoluteSum + weights[index].magnitude
        squaredSum = squaredSum + weights[index] * weights[index]
    }
    let value = penalty.l1 * absoluteSum + penalty.l2 * squaredSum
    return V.select(penalty.active, loss + (scale.map { $0 * value } ?? value), loss)
}

/// Adds `scale·(l1·sign(w) + 2·l2·w)` (sign(0) = 0) to each of `count` gradients, in the lanes that have the penalty.
@inlinable @inline(__always)
func penaltyBackward<V: LaneReal>(
    _ penalty: LanePenalty<V>, gradient: UnsafeMutablePointer<V>, weights: UnsafePointer<V>, count: Int,
    scale: V? = nil
) {
    guard penalty.anyActive else { return }
    let zero = V(broadcast: 0), one = V(broadcast: 1), two = V(broadcast: 2)
    for index in 0..<count {
        let w = weights[index]
        let sign = V.select(zero.isLess(than: w), one, V.select(w.isLess(than: zero), -one, zero))
        let term = penalty.l1 * sign + two * penalty.l2 * w
        let scaled = scale.map { $0 * term } ?? term
        gradient[index] = V.select(penalty.active, gradient[index] + scaled, gradient[index])
    }
}
