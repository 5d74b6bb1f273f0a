// The batch loss's data term, the mean squared error, forward and backward over any lane type.

/// `(1/n)·Σⱼ (yⱼ − tⱼ)²` over the n = `count` slots, summed in slot order.
@inlinable @inline(__always)
func meanSquaredErrorForward<V: LaneReal>(outputs: UnsafePointer<V>, targets: UnsafePointer<V>, count: Int) -> V {
    var squaredError = V(broadcast: 0)
    for slot in 0..<count {
        let error = outputs[slot] - targets[slot]
        squaredError = squaredError + error * error
    }
    return squaredError / V(broadcast: Double(count))
}

/// `∂L/∂yⱼ = 2·(yⱼ − tⱼ)/n`.
@inlinable @inline(__always)
func meanSquaredErrorBackward<V: LaneReal>(
    outputGradient: UnsafeMutablePointer<V>,  // out [n]
    outputs: UnsafePointer<V>, targets: UnsafePointer<V>, count: Int
) {
    let n = V(broadcast: Double(count))
    for slot in 0..<count {
        outputGradient[slot] = V(broadcast: 2) * (outputs[slot] - targets[slot]) / n
    }
}
