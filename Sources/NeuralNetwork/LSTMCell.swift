// The LSTM cell and the Dense head, forward and backward for one sample and one timestep, written gate by gate.
// Shapes: x [lag], h, c [u], z and gates [4u] in Keras's order i, f, c, o; kernels row-major.

/// The weights of the network, as pointers into the flat parameter buffer.
@usableFromInline struct WeightViews {
    /// [lag × 4u]
    @usableFromInline var kernel: UnsafePointer<Double>
    /// [u × 4u]
    @usableFromInline var recurrentKernel: UnsafePointer<Double>
    /// [4u]
    @usableFromInline var bias: UnsafePointer<Double>
    /// [u]
    @usableFromInline var denseKernel: UnsafePointer<Double>
    /// [1]
    @usableFromInline var denseBias: UnsafePointer<Double>

    @inline(__always) init(_ base: UnsafePointer<Double>, _ layout: ParameterLayout) {
        kernel = base + layout.kernel.lowerBound
        recurrentKernel = base + layout.recurrentKernel.lowerBound
        bias = base + layout.bias.lowerBound
        denseKernel = base + layout.denseKernel.lowerBound
        denseBias = base + layout.denseBias.lowerBound
    }
}

/// The gradient buffers, same layout as `WeightViews`.
@usableFromInline struct GradientViews {
    @usableFromInline var kernel: UnsafeMutablePointer<Double>
    @usableFromInline var recurrentKernel: UnsafeMutablePointer<Double>
    @usableFromInline var bias: UnsafeMutablePointer<Double>
    @usableFromInline var denseKernel: UnsafeMutablePointer<Double>
    @usableFromInline var denseBias: UnsafeMutablePointer<Double>

    @inline(__always) init(_ base: UnsafeMutablePointer<Double>, _ layout: ParameterLayout) {
        kernel = base + layout.kernel.lowerBound
        recurrentKernel = base + layout.recurrentKernel.lowerBound
        bias = base + layout.bias.lowerBound
        denseKernel = base + layout.denseKernel.lowerBound
        denseBias = base + layout.denseBias.lowerBound
    }
}

/// Forward of one cell step for `count` independent batch slots:
/// `z = x·kernel + h·recurrent_kernel + bias`; `i = σ(z_i)`, `f = σ(z_f)`, `g = tanh(z_c)`, `o = σ(z_o)`;
/// `c' = f⊙c + i⊙g`; `h' = o⊙tanh(c')`. Caches the gate values, their derivatives with respect to z, and tanh(c').
/// Each stage runs over all slots before the next, so the slots' independent chains overlap in the CPU.
@inline(__always)
func lstmCellForward(
    gates: UnsafeMutablePointer<Double>,            // out [n × 4u]: i, f, g, o
    gateDerivatives: UnsafeMutablePointer<Double>,  // out [n × 4u]: σ'(z_i), σ'(z_f), 1 − g², σ'(z_o)
    cellNew: UnsafeMutablePointer<Double>,          // out [n × u]
    tanhCellNew: UnsafeMutablePointer<Double>,      // out [n × u]
    hiddenNew: UnsafeMutablePointer<Double>,        // out [n × u]
    input: UnsafePointer<Double>,                   // [n × lag]
    hiddenPrevious: UnsafePointer<Double>,          // [n × u]
    cellPrevious: UnsafePointer<Double>,            // [n × u]
    count: Int, weights: WeightViews, lag: Int, units: Int, activation: RecurrentActivation,
    keepDerivatives: Bool = true
) {
    let gateWidth = 4 * units
    // z, four gate columns at a time (4u is a multiple of 4), summed in the scalar order: bias, x terms, h terms.
    for slot in 0..<count {
        let z = gates + slot * gateWidth
        let x = input + slot * lag
        let h = hiddenPrevious + slot * units
        for column in stride(from: 0, to: gateWidth, by: 4) {
            var sum = load4(weights.bias + column)
            for k in 0..<lag { sum += x[k] * load4(weights.kernel + k * gateWidth + column) }
            for k in 0..<units { sum += h[k] * load4(weights.recurrentKernel + k * gateWidth + column) }
            store4(sum, z + column)
        }
    }
    // z → gate values, in place; the derivatives only when training needs them.
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

/// Dense(1) forward: `y = h·dense_kernel + dense_bias`.
@inline(__always)
func denseForward(hidden: UnsafePointer<Double>, weights: WeightViews, units: Int) -> Double {
    var y = weights.denseBias[0]
    for k in 0..<units { y += hidden[k] * weights.denseKernel[k] }
    return y
}

/// Dense(1) backward: accumulates `∂L/∂dense_kernel += dy·h`, `∂L/∂dense_bias += dy`, writes `∂L/∂h = dy·dense_kernel`.
@inline(__always)
func denseBackward(
    hiddenGradient: UnsafeMutablePointer<Double>,  // out [u]
    gradients: GradientViews, outputGradient dy: Double,
    hidden: UnsafePointer<Double>, weights: WeightViews, units: Int
) {
    for k in 0..<units {
        gradients.denseKernel[k] += dy * hidden[k]
        hiddenGradient[k] = dy * weights.denseKernel[k]
    }
    gradients.denseBias[0] += dy
}

/// Backward of one cell step, with the carried state (h, c) treated as a constant (one timestep per batch):
/// `∂o = ∂h'⊙tanh(c')`, `∂c' = ∂h'⊙o⊙(1 − tanh²(c'))`, `∂i = ∂c'⊙g`, `∂f = ∂c'⊙c`, `∂g = ∂c'⊙i`,
/// `∂z = ∂gate ⊙ gate'`; accumulates `∂kernel += xᵀ∂z`, `∂recurrent_kernel += hᵀ∂z`, `∂bias += ∂z`.
@inline(__always)
func lstmCellBackward(
    gradients: GradientViews,
    preActivationGradient dz: UnsafeMutablePointer<Double>,  // scratch [4u]
    hiddenGradient dh: UnsafePointer<Double>,                // [u]
    gates: UnsafePointer<Double>, gateDerivatives: UnsafePointer<Double>, tanhCellNew: UnsafePointer<Double>,
    input: UnsafePointer<Double>, hiddenPrevious: UnsafePointer<Double>, cellPrevious: UnsafePointer<Double>,
    lag: Int, units: Int
) {
    let gateWidth = 4 * units
    for j in 0..<units {
        let i = gates[j], g = gates[2 * units + j], o = gates[3 * units + j]
        let tanhCell = tanhCellNew[j]
        let dOutput = dh[j] * tanhCell
        let dCell = dh[j] * o * (1 - tanhCell * tanhCell)
        dz[j] = dCell * g * gateDerivatives[j]
        dz[units + j] = dCell * cellPrevious[j] * gateDerivatives[units + j]
        dz[2 * units + j] = dCell * i * gateDerivatives[2 * units + j]
        dz[3 * units + j] = dOutput * gateDerivatives[3 * units + j]
    }
    for column in stride(from: 0, to: gateWidth, by: 4) {
        let dzColumns = load4(dz + column)
        for k in 0..<lag {
            let row = gradients.kernel + k * gateWidth + column
            store4(load4(row) + input[k] * dzColumns, row)
        }
        for k in 0..<units {
            let row = gradients.recurrentKernel + k * gateWidth + column
            store4(load4(row) + hiddenPrevious[k] * dzColumns, row)
        }
        store4(load4(gradients.bias + column) + dzColumns, gradients.bias + column)
    }
}

/// Four consecutive doubles as SIMD lanes (each lane's arithmetic is the scalar arithmetic, bit for bit).
@inline(__always) func load4(_ pointer: UnsafePointer<Double>) -> SIMD4<Double> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD4<Double>.self)
}

@inline(__always) func load4(_ pointer: UnsafeMutablePointer<Double>) -> SIMD4<Double> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD4<Double>.self)
}

@inline(__always) func store4(_ value: SIMD4<Double>, _ pointer: UnsafeMutablePointer<Double>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD4<Double>.self)
}
