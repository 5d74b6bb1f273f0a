// The Dense(1) head, forward and backward, for `count` batch slots over any lane type. Shapes: h [n × u],
// dense_kernel [u], dense_bias [1], y [n].

/// `y = h·dense_kernel + dense_bias` for each slot, summed from the bias in unit order.
@inlinable @inline(__always)
func denseForward<V: LaneReal>(
    outputs: UnsafeMutablePointer<V>,  // out [n]
    hidden: UnsafePointer<V>,          // [n × u]
    weights: TensorViews<V>, count: Int, units: Int
) {
    for slot in 0..<count {
        let h = hidden + slot * units
        var y = weights.denseBias[0]
        for k in 0..<units { y = y + h[k] * weights.denseKernel[k] }
        outputs[slot] = y
    }
}

/// Slot by slot: accumulates `∂dense_kernel += dy·h` and `∂dense_bias += dy`, and writes `∂h = dy·dense_kernel`.
@inlinable @inline(__always)
func denseBackward<V: LaneReal>(
    hiddenGradient dh: UnsafeMutablePointer<V>,  // out [n × u]
    gradients: TensorViews<V>,                   // accumulated: dense kernel, dense bias
    outputGradient dy: UnsafePointer<V>,         // [n]
    hidden: UnsafePointer<V>,                    // [n × u]
    weights: TensorViews<V>, count: Int, units: Int
) {
    for slot in 0..<count {
        let h = hidden + slot * units, dhSlot = dh + slot * units
        for k in 0..<units {
            gradients.denseKernel[k] = gradients.denseKernel[k] + dy[slot] * h[k]
            dhSlot[k] = dy[slot] * weights.denseKernel[k]
        }
        gradients.denseBias[0] = gradients.denseBias[0] + dy[slot]
    }
}
