// The LSTM layer, forward and backward, for `count` batch slots and one timestep, written gate by gate over any lane
// type. Shapes: x [n × lag] (row stride `inputStride`: a sample's timesteps lie side by side), h, c [n × u], z and
// gates [n × 4u] in Keras's order i, f, c, o; kernels row-major. Dropout masks (training only) are per slot and gate:
// input [n × 4 × lag], recurrent [n × 4 × u], each value 0 or 1/(1 − rate).

/// Forward of one cell step for `count` independent batch slots:
/// `z_g = (x⊙m_g)·kernel_g + (h⊙r_g)·recurrent_kernel_g + bias_g` for each gate g (summed in that order: bias, the x
/// terms, the h terms; the masks m, r only when `inputMasked`, `recurrentMasked`);
/// `i = σ(z_i)`, `f = σ(z_f)`, `g = tanh(z_c)`, `o = σ(z_o)`; `c' = f⊙c + i⊙g`; `h' = o⊙tanh(c')`.
/// Caches the gate values, their derivatives with respect to z (when `keepDerivatives`: training) and tanh(c').
/// Each stage runs over all slots before the next, so the slots' independent chains overlap in the CPU.
@inlinable @inline(__always)
func lstmForward<V: LaneReal>(
    gates: UnsafeMutablePointer<V>,            // out [n × 4u]: i, f, g, o
    gateDerivatives: UnsafeMutablePointer<V>,  // out [n × 4u]: σ'(z_i), σ'(z_f), 1 − g², σ'(z_o)
    cellNew: UnsafeMutablePointer<V>,          // out [n × u]
    tanhCellNew: UnsafeMutablePointer<V>,      // out [n × u]
    hiddenNew: UnsafeMutablePointer<V>,        // out [n × u]
    input: UnsafePointer<V>, inputStride: Int, // [n × lag], slot s at s × inputStride
    hiddenPrevious: UnsafePointer<V>,          // [n × u]
    cellPrevious: UnsafePointer<V>,            // [n × u]
    masks: DropoutMaskViews<V>,
    weights: TensorViews<V>, count: Int, lag: Int, units: Int, activation: RecurrentActivation,
    keepDerivatives: Bool
) {
    let gateWidth = 4 * units
    for slot in 0..<count {
        let x = input + slot * inputStride, h = hiddenPrevious + slot * units, z = gates + slot * gateWidth
        for gate in 0..<4 {
            let inputMask = masks.input + (slot * 4 + gate) * lag
            let recurrentMask = masks.recurrent + (slot * 4 + gate) * units
            for j in 0..<units {
                let column = gate * units + j
                var sum = weights.bias[column]
                if masks.inputMasked {
                    for k in 0..<lag { sum = sum + (x[k] * inputMask[k]) * weights.kernel[k * gateWidth + column] }
                } else {
                    for k in 0..<lag { sum = sum + x[k] * weights.kernel[k * gateWidth + column] }
                }
                if masks.recurrentMasked {
                    for k in 0..<units {
                        sum = sum + (h[k] * recurrentMask[k]) * weights.recurrentKernel[k * gateWidth + column]
                    }
                } else {
                    for k in 0..<units { sum = sum + h[k] * weights.recurrentKernel[k * gateWidth + column] }
                }
                z[column] = sum
            }
        }
    }
    for slot in 0..<count {
        applyGateActivations(gates + slot * gateWidth, derivatives: gateDerivatives + slot * gateWidth, units: units,
                             activation: activation, keepDerivatives: keepDerivatives)
    }
    for slot in 0..<count {
        updateCell(gates: gates + slot * gateWidth, cellPrevious: cellPrevious + slot * units,
                   cellNew: cellNew + slot * units, tanhCellNew: tanhCellNew + slot * units,
                   hiddenNew: hiddenNew + slot * units, units: units)
    }
}

/// The dropout masks of one batch as the passes read them, and whether each applies.
@frozen public struct DropoutMaskViews<V> {
    /// [n × 4 × lag]
    public let input: UnsafePointer<V>
    /// [n × 4 × u]
    public let recurrent: UnsafePointer<V>
    public let inputMasked: Bool
    public let recurrentMasked: Bool

    @inlinable @inline(__always)
    public init(input: UnsafePointer<V>, recurrent: UnsafePointer<V>, inputMasked: Bool, recurrentMasked: Bool) {
        self.input = input
        self.recurrent = recurrent
        self.inputMasked = inputMasked
        self.recurrentMasked = recurrentMasked
    }

    /// No mask: prediction, or training without dropout.
    @inlinable @inline(__always)
    func unmasked() -> DropoutMaskViews {
        DropoutMaskViews(input: input, recurrent: recurrent, inputMasked: false, recurrentMasked: false)
    }
}

/// Backward of one cell step for `count` slots. The gradient reaching h' is `dh`; when `cellGradientIn` (a later
/// timestep of the same sample) the gradient reaching c' from that step is added:
/// `∂o = ∂h'⊙tanh(c')`, `∂c' = ∂h'⊙o⊙(1 − tanh²(c')) (+ ∂c' from later)`, `∂i = ∂c'⊙g`, `∂f = ∂c'⊙c`,
/// `∂g = ∂c'⊙i`, `∂z = ∂gate ⊙ gate'`; accumulates `∂kernel_g += (x⊙m_g)ᵀ∂z_g`, `∂recurrent_kernel_g += (h⊙r_g)ᵀ∂z_g`,
/// `∂bias += ∂z`, slot by slot. When `propagate` (an earlier timestep of the sample exists), writes the gradients
/// reaching that step's outputs: `∂h = Σ_g r_g⊙(recurrent_kernel_g·∂z_g)` and `∂c = ∂c'⊙f`. The carried state of the
/// first timestep is a constant: no gradient flows into it.
@inlinable @inline(__always)
func lstmBackward<V: LaneReal>(
    gradients: TensorViews<V>,                          // accumulated: kernel, recurrent kernel, bias
    preActivationGradient dz: UnsafeMutablePointer<V>,  // scratch [4u]
    hiddenGradient dh: UnsafePointer<V>,                // [n × u]
    cellGradientIn: UnsafePointer<V>?,                  // [n × u], from the next timestep
    hiddenGradientOut: UnsafeMutablePointer<V>, cellGradientOut: UnsafeMutablePointer<V>,  // out [n × u]
    propagate: Bool,
    gates: UnsafePointer<V>, gateDerivatives: UnsafePointer<V>,  // [n × 4u]
    tanhCellNew: UnsafePointer<V>,                      // [n × u]
    input: UnsafePointer<V>, inputStride: Int,          // [n × lag]
    hiddenPrevious: UnsafePointer<V>, cellPrevious: UnsafePointer<V>,  // [n × u]
    masks: DropoutMaskViews<V>, weights: TensorViews<V>,
    count: Int, lag: Int, units: Int
) {
    let gateWidth = 4 * units
    for slot in 0..<count {
        let gate = gates + slot * gateWidth, derivative = gateDerivatives + slot * gateWidth
        let dhSlot = dh + slot * units, tanhC = tanhCellNew + slot * units, c = cellPrevious + slot * units
        for j in 0..<units {
            let i = gate[j], g = gate[2 * units + j], o = gate[3 * units + j]
            let tanhCell = tanhC[j]
            let dOutput = dhSlot[j] * tanhCell
            var dCell = dhSlot[j] * o * (V(broadcast: 1) - tanhCell * tanhCell)
            if let cellGradientIn { dCell = dCell + cellGradientIn[slot * units + j] }
            dz[j] = dCell * g * derivative[j]
            dz[units + j] = dCell * c[j] * derivative[units + j]
            dz[2 * units + j] = dCell * i * derivative[2 * units + j]
            dz[3 * units + j] = dOutput * derivative[3 * units + j]
            if propagate { cellGradientOut[slot * units + j] = dCell * gate[units + j] }
        }
        let x = input + slot * inputStride, h = hiddenPrevious + slot * units
        for gateIndex in 0..<4 {
            let inputMask = masks.input + (slot * 4 + gateIndex) * lag
            let recurrentMask = masks.recurrent + (slot * 4 + gateIndex) * units
            for j in 0..<units {
                let column = gateIndex * units + j
                let dzColumn = dz[column]
                for k in 0..<lag {
                    let xk = masks.inputMasked ? x[k] * inputMask[k] : x[k]
                    gradients.kernel[k * gateWidth + column] = gradients.kernel[k * gateWidth + column] + xk * dzColumn
                }
                for k in 0..<units {
                    let hk = masks.recurrentMasked ? h[k] * recurrentMask[k] : h[k]
                    gradients.recurrentKernel[k * gateWidth + column] = gradients.recurrentKernel[k * gateWidth + column]
                        + hk * dzColumn
                }
                gradients.bias[column] = gradients.bias[column] + dzColumn
            }
        }
        if propagate {
            let dhOut = hiddenGradientOut + slot * units
            for k in 0..<units {
                var sum = V(broadcast: 0)
                for gateIndex in 0..<4 {
                    var gateSum = V(broadcast: 0)
                    for j in 0..<units {
                        let column = gateIndex * units + j
                        gateSum = gateSum + weights.recurrentKernel[k * gateWidth + column] * dz[column]
                    }
                    let recurrentMask = masks.recurrent + (slot * 4 + gateIndex) * units
                    sum = sum + (masks.recurrentMasked ? gateSum * recurrentMask[k] : gateSum)
                }
                dhOut[k] = sum
            }
        }
    }
}

/// One slot's gate values from its pre-activations z [4u], in place: σ on the input, forget and output gates, tanh on
/// the candidate; their derivatives with respect to z into `derivatives` when `keepDerivatives` (training), not at
/// all otherwise (prediction). One loop per activation, so no element pays for a switch on the profile.
@inlinable @inline(__always)
func applyGateActivations<V: LaneReal>(
    _ z: UnsafeMutablePointer<V>, derivatives: UnsafeMutablePointer<V>, units: Int,
    activation: RecurrentActivation, keepDerivatives: Bool
) {
    switch activation {
    case .hardSigmoid: applySigmoidGates(z, derivatives, units, keepDerivatives, laneHardSigmoid)
    case .sigmoid: applySigmoidGates(z, derivatives, units, keepDerivatives, laneLogisticSigmoid)
    }
    for j in (2 * units)..<(3 * units) {
        let candidate = laneTanh(z[j])
        z[j] = candidate
        if keepDerivatives { derivatives[j] = V(broadcast: 1) - candidate * candidate }
    }
}

/// σ on the gate columns [0, 2u) and [3u, 4u) of one slot.
@inlinable @inline(__always)
func applySigmoidGates<V: LaneReal>(
    _ z: UnsafeMutablePointer<V>, _ derivatives: UnsafeMutablePointer<V>, _ units: Int, _ keepDerivatives: Bool,
    _ sigma: (V) -> (value: V, derivative: V)
) {
    for j in 0..<(3 * units) {
        let index = j < 2 * units ? j : j + units
        let (value, derivative) = sigma(z[index])
        z[index] = value
        if keepDerivatives { derivatives[index] = derivative }
    }
}

/// One slot's new cell and hidden state from its gate values: `c' = f⊙c + i⊙g`, `h' = o⊙tanh(c')`, keeping tanh(c')
/// for the backward pass.
@inlinable @inline(__always)
func updateCell<V: LaneReal>(
    gates gate: UnsafePointer<V>, cellPrevious c: UnsafePointer<V>, cellNew: UnsafeMutablePointer<V>,
    tanhCellNew: UnsafeMutablePointer<V>, hiddenNew: UnsafeMutablePointer<V>, units: Int
) {
    for j in 0..<units {
        let cell = gate[units + j] * c[j] + gate[j] * gate[2 * units + j]
        let tanhCell = laneTanh(cell)
        cellNew[j] = cell
        tanhCellNew[j] = tanhCell
        hiddenNew[j] = gate[3 * units + j] * tanhCell
    }
}
