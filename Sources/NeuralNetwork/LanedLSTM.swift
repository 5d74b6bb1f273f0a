/// Several runs of one network, trained side by side: run r lives in lane r of every value (`LaneReal`), and every
/// lane does exactly the operations of `StatefulLSTM`, in its order, so a run's bits are the same alone or among
/// any lane-mates, whatever the lane count. The runs share the shape, σ, Adam's settings, the batch size and the
/// data; each has its own initial weights and penalties (a lane whose penalty is zero skips it, as a run alone does).
///
/// Buffers hold one `V` per scalar of `StatefulLSTM`, in the same layouts; training and prediction allocate nothing.
final class LanedLSTM<V: LaneReal> {
    let layout: ParameterLayout
    let lag: Int, units: Int, batchSize: Int, gateWidth: Int
    let recurrentActivation: RecurrentActivation
    let adam: AdamSettings
    let activityDividedByBatch: Bool
    let stepSizes: [Double]

    /// Per-lane penalty coefficients and where a lane's penalty is non-zero, by place.
    struct LanePenalty {
        var l1: V
        var l2: V
        var active: V.Condition
        var anyActive: Bool
    }
    let kernelPenalty: LanePenalty, recurrentPenalty: LanePenalty, biasPenalty: LanePenalty, activityPenalty: LanePenalty

    let parameters: UnsafeMutablePointer<V>          // [P]
    let gradients: UnsafeMutablePointer<V>           // [P]
    let firstMoment: UnsafeMutablePointer<V>         // [P]
    let secondMoment: UnsafeMutablePointer<V>        // [P]
    private(set) var adamStep = 0
    let hiddenState: UnsafeMutablePointer<V>         // [B × u]
    let cellState: UnsafeMutablePointer<V>           // [B × u]
    let gates: UnsafeMutablePointer<V>               // [B × 4u]
    let gateDerivatives: UnsafeMutablePointer<V>     // [B × 4u]
    let cellNew: UnsafeMutablePointer<V>             // [B × u]
    let tanhCellNew: UnsafeMutablePointer<V>         // [B × u]
    let hiddenNew: UnsafeMutablePointer<V>           // [B × u]
    let outputs: UnsafeMutablePointer<V>             // [B]
    let hiddenGradient: UnsafeMutablePointer<V>      // [u]
    let preActivationGradient: UnsafeMutablePointer<V>  // [4u]

    /// - Parameters:
    ///   - regularizations: one per lane (`V.laneCount` of them).
    ///   - initialParameters: one `ParameterLayout`-ordered vector per lane.
    ///   - stepSizes: `settings.adam.stepSizes(count:)` for the updates to come (later ones are computed).
    init(settings: NetworkSettings, regularizations: [Regularization], initialParameters: [[Double]], stepSizes: [Double]) {
        precondition(regularizations.count == V.laneCount && initialParameters.count == V.laneCount, "one run per lane")
        layout = ParameterLayout(settings.shape)
        lag = settings.shape.lag
        units = settings.shape.units
        batchSize = settings.batchSize
        gateWidth = 4 * units
        recurrentActivation = settings.recurrentActivation
        adam = settings.adam
        activityDividedByBatch = settings.activityPenaltyDividedByBatch
        self.stepSizes = stepSizes
        func lanePenalty(_ penalty: (Regularization) -> L1L2) -> LanePenalty {
            var l1 = V(broadcast: 0), l2 = V(broadcast: 0), flags = V(broadcast: 0)
            for lane in 0..<V.laneCount {
                let p = penalty(regularizations[lane])
                l1[lane: lane] = p.l1
                l2[lane: lane] = p.l2
                flags[lane: lane] = p.isZero ? 0 : 1
            }
            return LanePenalty(l1: l1, l2: l2, active: V(broadcast: 0).isLess(than: flags),
                               anyActive: regularizations.contains { !penalty($0).isZero })
        }
        kernelPenalty = lanePenalty(\.kernel)
        recurrentPenalty = lanePenalty(\.recurrentKernel)
        biasPenalty = lanePenalty(\.bias)
        activityPenalty = lanePenalty(\.activity)
        let count = layout.count
        parameters = zeroedBuffer(count)
        gradients = zeroedBuffer(count)
        firstMoment = zeroedBuffer(count)
        secondMoment = zeroedBuffer(count)
        hiddenState = zeroedBuffer(batchSize * units)
        cellState = zeroedBuffer(batchSize * units)
        gates = zeroedBuffer(batchSize * gateWidth)
        gateDerivatives = zeroedBuffer(batchSize * gateWidth)
        cellNew = zeroedBuffer(batchSize * units)
        tanhCellNew = zeroedBuffer(batchSize * units)
        hiddenNew = zeroedBuffer(batchSize * units)
        outputs = zeroedBuffer(batchSize)
        hiddenGradient = zeroedBuffer(units)
        preActivationGradient = zeroedBuffer(gateWidth)
        for lane in 0..<V.laneCount {
            precondition(initialParameters[lane].count == count, "expected \(count) parameters")
            for index in 0..<count { parameters[index][lane: lane] = initialParameters[lane][index] }
        }
    }

    deinit {
        for pointer in [parameters, gradients, firstMoment, secondMoment, hiddenState, cellState, gates, gateDerivatives,
                        cellNew, tanhCellNew, hiddenNew, outputs, hiddenGradient, preActivationGradient] {
            pointer.deallocate()
        }
    }

    // MARK: - State

    func resetState() {
        hiddenState.update(repeating: V(broadcast: 0), count: batchSize * units)
        cellState.update(repeating: V(broadcast: 0), count: batchSize * units)
    }

    func parameterValues(lane: Int) -> [Double] { (0..<layout.count).map { parameters[$0][lane: lane] } }

    func adamState(lane: Int) -> AdamState {
        var state = AdamState(parameterCount: layout.count)
        state.firstMoment = (0..<layout.count).map { firstMoment[$0][lane: lane] }
        state.secondMoment = (0..<layout.count).map { secondMoment[$0][lane: lane] }
        state.step = adamStep
        return state
    }

    // MARK: - Forward

    /// z = x·kernel + h·recurrent_kernel + bias for `count` slots, summed as `StatefulLSTM` sums it: bias, then the x
    /// terms, then the h terms.
    @inline(__always)
    private func preActivations(_ inputs: UnsafePointer<Double>, count: Int) {
        let kernel = parameters + layout.kernel.lowerBound
        let recurrent = parameters + layout.recurrentKernel.lowerBound
        let bias = parameters + layout.bias.lowerBound
        for slot in 0..<count {
            let x = inputs + slot * lag, h = hiddenState + slot * units, z = gates + slot * gateWidth
            for column in 0..<gateWidth {
                var sum = bias[column]
                for k in 0..<lag { sum = sum + V(broadcast: x[k]) * kernel[k * gateWidth + column] }
                for k in 0..<units { sum = sum + h[k] * recurrent[k * gateWidth + column] }
                z[column] = sum
            }
        }
    }

    /// The gates from z, in place, with their derivatives when `derivatives` is given; then c', tanh(c'), h' and y.
    @inline(__always)
    private func forward(_ inputs: UnsafePointer<Double>, count: Int, keepDerivatives: Bool) {
        preActivations(inputs, count: count)
        for slot in 0..<count {
            applyGateActivations(gates + slot * gateWidth, derivatives: gateDerivatives + slot * gateWidth, units: units,
                                 activation: recurrentActivation, keepDerivatives: keepDerivatives)
        }
        let denseKernel = parameters + layout.denseKernel.lowerBound
        let denseBias = parameters[layout.denseBias.lowerBound]
        for slot in 0..<count {
            let hNew = hiddenNew + slot * units
            updateCell(gates: gates + slot * gateWidth, cellPrevious: cellState + slot * units,
                       cellNew: cellNew + slot * units, tanhCellNew: tanhCellNew + slot * units, hiddenNew: hNew,
                       units: units)
            var y = denseBias
            for k in 0..<units { y = y + hNew[k] * denseKernel[k] }
            outputs[slot] = y
        }
    }

    @inline(__always)
    private func carryState(count: Int) {
        hiddenState.update(from: hiddenNew, count: count * units)
        cellState.update(from: cellNew, count: count * units)
    }

    // MARK: - Training

    /// The penalty of the kernel (0), the recurrent kernel (1) or the bias (2), with its parameter range, in the
    /// order `StatefulLSTM` adds them.
    @inline(__always)
    private func weightPenalty(_ place: Int) -> (LanePenalty, Range<Int>) {
        switch place {
        case 0: (kernelPenalty, layout.kernel)
        case 1: (recurrentPenalty, layout.recurrentKernel)
        default: (biasPenalty, layout.bias)
        }
    }

    /// `l1·Σ|w| + l2·Σw²` over `count` values, the sums accumulated separately and in order.
    @inline(__always)
    private func penaltyValue(_ penalty: LanePenalty, _ weights: UnsafePointer<V>, count: Int) -> V {
        var absoluteSum = V(broadcast: 0), squaredSum = V(broadcast: 0)
        for index in 0..<count {
            absoluteSum = absoluteSum + weights[index].magnitude
            squaredSum = squaredSum + weights[index] * weights[index]
        }
        return penalty.l1 * absoluteSum + penalty.l2 * squaredSum
    }

    /// Adds `scale·(l1·sign(w) + 2·l2·w)` to each gradient, in the lanes whose penalty is non-zero.
    @inline(__always)
    private func accumulatePenaltyGradient(
        _ penalty: LanePenalty, _ gradient: UnsafeMutablePointer<V>, of weights: UnsafePointer<V>, count: Int, scale: V?
    ) {
        let zero = V(broadcast: 0), one = V(broadcast: 1), two = V(broadcast: 2)
        for index in 0..<count {
            let w = weights[index]
            let sign = V.select(zero.isLess(than: w), one, V.select(w.isLess(than: zero), -one, zero))
            let term = penalty.l1 * sign + two * penalty.l2 * w
            let scaled = scale.map { $0 * term } ?? term
            gradient[index] = V.select(penalty.active, gradient[index] + scaled, gradient[index])
        }
    }

    /// The batch loss (per lane) and its gradient, as `StatefulLSTM.lossAndGradient`.
    @inline(__always)
    private func lossAndGradient(inputs: UnsafePointer<Double>, targets: UnsafePointer<Double>, count: Int) -> V {
        forward(inputs, count: count, keepDerivatives: true)
        let n = V(broadcast: Double(count))
        var squaredError = V(broadcast: 0)
        for slot in 0..<count {
            let error = outputs[slot] - V(broadcast: targets[slot])
            squaredError = squaredError + error * error
        }
        var loss = squaredError / n
        let activityScale = V(broadcast: activityDividedByBatch ? 1 / Double(count) : 1)
        if activityPenalty.anyActive {
            let value = activityScale * penaltyValue(activityPenalty, hiddenNew, count: count * units)
            loss = V.select(activityPenalty.active, loss + value, loss)
        }
        for place in 0..<3 {
            let (penalty, range) = weightPenalty(place)
            guard penalty.anyActive else { continue }
            loss = V.select(penalty.active, loss + penaltyValue(penalty, parameters + range.lowerBound, count: range.count), loss)
        }

        gradients.update(repeating: V(broadcast: 0), count: layout.count)
        let kernel = gradients + layout.kernel.lowerBound, recurrent = gradients + layout.recurrentKernel.lowerBound
        let bias = gradients + layout.bias.lowerBound
        let denseKernelGradient = gradients + layout.denseKernel.lowerBound
        let denseBiasGradient = gradients + layout.denseBias.lowerBound
        let denseKernel = parameters + layout.denseKernel.lowerBound
        let dh = hiddenGradient, dz = preActivationGradient
        for slot in 0..<count {
            let hNew = hiddenNew + slot * units
            let outputGradient = V(broadcast: 2) * (outputs[slot] - V(broadcast: targets[slot])) / n
            for k in 0..<units {
                denseKernelGradient[k] = denseKernelGradient[k] + outputGradient * hNew[k]
                dh[k] = outputGradient * denseKernel[k]
            }
            denseBiasGradient[0] = denseBiasGradient[0] + outputGradient
            if activityPenalty.anyActive {
                accumulatePenaltyGradient(activityPenalty, dh, of: hNew, count: units, scale: activityScale)
            }
            let gate = gates + slot * gateWidth, derivative = gateDerivatives + slot * gateWidth
            let tanhC = tanhCellNew + slot * units, c = cellState + slot * units
            for j in 0..<units {
                let i = gate[j], g = gate[2 * units + j], o = gate[3 * units + j]
                let tanhCell = tanhC[j]
                let dOutput = dh[j] * tanhCell
                let dCell = dh[j] * o * (V(broadcast: 1) - tanhCell * tanhCell)
                dz[j] = dCell * g * derivative[j]
                dz[units + j] = dCell * c[j] * derivative[units + j]
                dz[2 * units + j] = dCell * i * derivative[2 * units + j]
                dz[3 * units + j] = dOutput * derivative[3 * units + j]
            }
            let x = inputs + slot * lag, h = hiddenState + slot * units
            for column in 0..<gateWidth {
                let dzColumn = dz[column]
                for k in 0..<lag {
                    kernel[k * gateWidth + column] = kernel[k * gateWidth + column] + V(broadcast: x[k]) * dzColumn
                }
                for k in 0..<units {
                    recurrent[k * gateWidth + column] = recurrent[k * gateWidth + column] + h[k] * dzColumn
                }
                bias[column] = bias[column] + dzColumn
            }
        }
        for place in 0..<3 {
            let (penalty, range) = weightPenalty(place)
            guard penalty.anyActive else { continue }
            accumulatePenaltyGradient(penalty, gradients + range.lowerBound, of: parameters + range.lowerBound,
                                      count: range.count, scale: nil)
        }
        return loss
    }

    /// One Adam update with step size `alpha`, as `adamUpdate`.
    @inline(__always)
    private func adamUpdate(alpha: Double) {
        let oneMinusBeta1 = V(broadcast: 1 - adam.beta1), oneMinusBeta2 = V(broadcast: 1 - adam.beta2)
        let epsilon = V(broadcast: adam.epsilon), step = V(broadcast: alpha)
        for index in 0..<layout.count {
            let g = gradients[index]
            let m = firstMoment[index] + (g - firstMoment[index]) * oneMinusBeta1
            let v = secondMoment[index] + (g * g - secondMoment[index]) * oneMinusBeta2
            firstMoment[index] = m
            secondMoment[index] = v
            parameters[index] = parameters[index] - (m * step) / (v.squareRoot() + epsilon)
        }
    }

    /// One epoch over `rowCount` rows in order (one Adam step per batch), then a state reset; returns each lane's
    /// epoch loss, the mean of its batch losses.
    func trainEpoch(inputs: UnsafePointer<Double>, targets: UnsafePointer<Double>, rowCount: Int) -> V {
        var lossSum = V(broadcast: 0)
        var batches = 0
        var start = 0
        while start < rowCount {
            let count = min(batchSize, rowCount - start)
            lossSum = lossSum + lossAndGradient(inputs: inputs + start * lag, targets: targets + start, count: count)
            adamStep += 1
            adamUpdate(alpha: adamStep <= stepSizes.count ? stepSizes[adamStep - 1] : adam.stepSize(at: adamStep))
            carryState(count: count)
            batches += 1
            start += count
        }
        resetState()
        return lossSum / V(broadcast: Double(batches))
    }

    // MARK: - Prediction

    /// Predicts `rowCount` rows in order in batches of B from the carried state, without derivative caches; row r's
    /// prediction goes to `predictions[r]`.
    func predict(inputs: UnsafePointer<Double>, rowCount: Int, into predictions: UnsafeMutablePointer<V>) {
        var start = 0
        while start < rowCount {
            let count = min(batchSize, rowCount - start)
            forward(inputs + start * lag, count: count, keepDerivatives: false)
            for slot in 0..<count { predictions[start + slot] = outputs[slot] }
            carryState(count: count)
            start += count
        }
    }
}
