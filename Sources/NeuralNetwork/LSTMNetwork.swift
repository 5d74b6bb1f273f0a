/// A stateful LSTM(units) → Dense(1) network trained one timestep per batch, as Keras trains a `stateful=True` model
/// with batch size B: sample j of each batch starts from the final (h, c) of sample j of the previous batch, and no
/// gradient flows into the carried state.
///
/// `V.laneCount` runs train side by side, run r in lane r of every value (`LaneReal`); `V = Double` is one run alone.
/// Every lane does the same operations in the same order, so a run's bits never depend on its lane-mates or the lane
/// count. The runs share the shape, σ, Adam's settings, B and the data; each has its own initial weights and
/// penalties.
///
/// Buffers, allocated once (training and prediction allocate nothing): the parameters, their gradients and Adam's
/// two moments, each one flat `ParameterLayout`-ordered buffer with named views (`TensorViews`); the carried state;
/// what the forward pass of one batch keeps for the backward pass.
public final class LSTMNetwork<V: LaneReal> {
    public let layout: ParameterLayout
    @usableFromInline let lag: Int, units: Int, batchSize: Int
    @usableFromInline let recurrentActivation: RecurrentActivation
    /// Adam's settings of each lane (they differ in their learning rates only).
    @usableFromInline let adams: [AdamSettings]
    @usableFromInline let activityDividedByBatch: Bool
    /// Each lane's Adam step sizes for updates 1…n when precomputed (`AdamSettings.stepSizes(count:)`); later ones are
    /// computed.
    @usableFromInline let stepSizes: [[Double]]
    /// Whether every lane has the same step sizes (one learning rate), to broadcast them.
    @usableFromInline let uniformStepSizes: Bool
    @usableFromInline let kernelPenalty: LanePenalty<V>, recurrentPenalty: LanePenalty<V>
    @usableFromInline let biasPenalty: LanePenalty<V>, activityPenalty: LanePenalty<V>

    @usableFromInline let parameters: UnsafeMutablePointer<V>       // [P]
    @usableFromInline let gradients: UnsafeMutablePointer<V>        // [P]
    @usableFromInline let firstMoment: UnsafeMutablePointer<V>      // [P]
    @usableFromInline let secondMoment: UnsafeMutablePointer<V>     // [P]
    /// Number of Adam updates applied.
    public var adamStep: Int { adamUpdates }
    @usableFromInline var adamUpdates = 0

    @usableFromInline let hiddenState: UnsafeMutablePointer<V>      // [B × u]
    @usableFromInline let cellState: UnsafeMutablePointer<V>        // [B × u]
    // The forward pass of one batch.
    @usableFromInline let gates: UnsafeMutablePointer<V>            // [B × 4u]
    @usableFromInline let gateDerivatives: UnsafeMutablePointer<V>  // [B × 4u]
    @usableFromInline let cellNew: UnsafeMutablePointer<V>          // [B × u]
    @usableFromInline let tanhCellNew: UnsafeMutablePointer<V>      // [B × u]
    @usableFromInline let hiddenNew: UnsafeMutablePointer<V>        // [B × u]
    @usableFromInline let outputs: UnsafeMutablePointer<V>          // [B]
    // The backward pass of one batch.
    @usableFromInline let outputGradient: UnsafeMutablePointer<V>   // [B]
    @usableFromInline let hiddenGradient: UnsafeMutablePointer<V>   // [B × u]
    @usableFromInline let preActivationGradient: UnsafeMutablePointer<V>  // [4u]

    /// - Parameters:
    ///   - settings: shared by every lane; its `regularization` and Adam's learning rate are ignored (each lane has its
    ///     own).
    ///   - lanes: each lane's own penalties and learning rate, and its initial parameters.
    public init(settings: NetworkSettings, lanes: [LaneRun]) {
        precondition(lanes.count == V.laneCount, "one run per lane")
        let regularizations = lanes.map(\.regularization)
        layout = ParameterLayout(settings.shape)
        lag = settings.shape.lag
        units = settings.shape.units
        batchSize = settings.batchSize
        recurrentActivation = settings.recurrentActivation
        adams = lanes.map { lane in
            var adam = settings.adam
            adam.learningRate = lane.learningRate
            return adam
        }
        activityDividedByBatch = settings.activityPenaltyDividedByBatch
        stepSizes = lanes.map(\.stepSizes)
        uniformStepSizes = Set(adams.map(\.learningRate.bitPattern)).count == 1
            && lanes.allSatisfy { $0.stepSizes.count == lanes[0].stepSizes.count }
        kernelPenalty = LanePenalty(regularizations.map(\.kernel))
        recurrentPenalty = LanePenalty(regularizations.map(\.recurrentKernel))
        biasPenalty = LanePenalty(regularizations.map(\.bias))
        activityPenalty = LanePenalty(regularizations.map(\.activity))
        let count = layout.count, gateWidth = 4 * units
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
        outputGradient = zeroedBuffer(batchSize)
        hiddenGradient = zeroedBuffer(batchSize * units)
        preActivationGradient = zeroedBuffer(gateWidth)
        for (lane, run) in lanes.enumerated() {
            precondition(run.initialParameters.count == count, "expected \(count) parameters")
            for index in 0..<count { parameters[index][lane: lane] = run.initialParameters[index] }
        }
    }

    /// The same run in every lane (one run alone for `V = Double`), with the settings' own penalties and learning rate.
    public convenience init(settings: NetworkSettings, parameters: [Double]) {
        let run = LaneRun(regularization: settings.regularization, learningRate: settings.adam.learningRate,
                          initialParameters: parameters)
        self.init(settings: settings, lanes: Array(repeating: run, count: V.laneCount))
    }

    deinit {
        for buffer in [parameters, gradients, firstMoment, secondMoment, hiddenState, cellState, gates, gateDerivatives,
                       cellNew, tanhCellNew, hiddenNew, outputs, outputGradient, hiddenGradient, preActivationGradient] {
            buffer.deallocate()
        }
    }

    // MARK: - State, parameters and moments

    /// Zeroes the carried (h, c) of every batch slot and lane, as Keras's `reset_states()`.
    @inlinable @inline(__always)
    public func resetState() {
        hiddenState.update(repeating: V(broadcast: 0), count: batchSize * units)
        cellState.update(repeating: V(broadcast: 0), count: batchSize * units)
    }

    /// One lane's parameters in `ParameterLayout` order.
    public func parameterValues(lane: Int = 0) -> [Double] { values(parameters, lane: lane) }

    /// One lane's gradient of the last `lossAndGradient` call.
    public func gradientValues(lane: Int = 0) -> [Double] { values(gradients, lane: lane) }

    /// One lane's Adam moments and step.
    public func adamState(lane: Int = 0) -> AdamState {
        var state = AdamState(parameterCount: layout.count)
        state.firstMoment = values(firstMoment, lane: lane)
        state.secondMoment = values(secondMoment, lane: lane)
        state.step = adamStep
        return state
    }

    /// Replaces every lane's parameters with the same values (e.g. from a checkpoint).
    public func setParameters(_ values: [Double]) {
        precondition(values.count == layout.count, "expected \(layout.count) parameters")
        for index in values.indices { parameters[index] = V(broadcast: values[index]) }
    }

    /// Sets every lane's carried state (row-major `[B × u]` each), for gradient checks.
    public func setState(hidden: [Double], cell: [Double]) {
        precondition(hidden.count == batchSize * units && cell.count == batchSize * units)
        for index in hidden.indices {
            hiddenState[index] = V(broadcast: hidden[index])
            cellState[index] = V(broadcast: cell[index])
        }
    }

    private func values(_ buffer: UnsafeMutablePointer<V>, lane: Int) -> [Double] {
        (0..<layout.count).map { buffer[$0][lane: lane] }
    }

    // MARK: - Training

    /// Loss and gradient of one batch of `count` ≤ B rows at the current parameters and carried state, without
    /// changing either (the gradient is left in the gradient buffer):
    /// `L = (1/n)·Σ(yⱼ − tⱼ)² + a·L1L2_act(h') + L1L2_kernel + L1L2_recurrent + L1L2_bias`, with `a = 1/n` when the
    /// profile divides the activity penalty by the batch size, else 1; each penalty only in the lanes that have it.
    ///
    /// - Parameters:
    ///   - inputs: `[count × lag]` scaled inputs.
    ///   - targets: `[count]` scaled targets.
    @inlinable @discardableResult
    public func lossAndGradient(inputs: UnsafePointer<Double>, targets: UnsafePointer<Double>, count: Int) -> V {
        lossAndGradient(inputs, targets, count: count, sizes: sizes)
    }

    /// One training step on a batch: loss and gradient (before the update), one Adam update, then the batch's final
    /// (h, c) become the carried state. Returns the batch loss, as Keras accumulates it for the epoch.
    @inlinable
    public func trainBatch(inputs: UnsafePointer<Double>, targets: UnsafePointer<Double>, count: Int) -> V {
        trainBatch(inputs, targets, count: count, sizes: sizes)
    }

    /// One epoch over `rowCount` rows in order (one Adam step per batch of B), then a state reset; returns each lane's
    /// epoch loss, the mean of its batch losses.
    @inlinable
    public func trainEpoch(inputs: UnsafePointer<Double>, targets: UnsafePointer<Double>, rowCount: Int) -> V {
        sizes == .study
            ? trainEpoch(inputs, targets, rowCount: rowCount, sizes: .study)
            : trainEpoch(inputs, targets, rowCount: rowCount, sizes: sizes)
    }

    // MARK: - Prediction

    /// Predicts `rowCount` rows in order, in batches of B, carrying the state across batches (row r uses slot r mod B);
    /// the state is left as the last batch leaves it. Forward only: no derivative is computed or kept.
    @inlinable
    public func predict(inputs: UnsafePointer<Double>, rowCount: Int, into predictions: UnsafeMutablePointer<V>) {
        if sizes == .study {
            predict(inputs, rowCount: rowCount, into: predictions, sizes: .study)
        } else {
            predict(inputs, rowCount: rowCount, into: predictions, sizes: sizes)
        }
    }

    // MARK: - The passes, over given sizes

    /// The network's sizes, which every loop of the passes runs over.
    @inlinable var sizes: LoopSizes { LoopSizes(lag: lag, units: units, batchSize: batchSize) }

    @inlinable @inline(__always)
    func lossAndGradient(_ inputs: UnsafePointer<Double>, _ targets: UnsafePointer<Double>, count: Int,
                         sizes: LoopSizes) -> V {
        let lag = sizes.lag, units = sizes.units, layout = sizes.layout
        let weights = TensorViews(parameters, layout), grads = TensorViews(gradients, layout)
        lstmForward(gates: gates, gateDerivatives: gateDerivatives, cellNew: cellNew, tanhCellNew: tanhCellNew,
                    hiddenNew: hiddenNew, input: inputs, hiddenPrevious: hiddenState, cellPrevious: cellState,
                    weights: weights, count: count, lag: lag, units: units, activation: recurrentActivation,
                    keepDerivatives: true)
        denseForward(outputs: outputs, hidden: hiddenNew, weights: weights, count: count, units: units)
        let activityScale = V(broadcast: activityDividedByBatch ? 1 / Double(count) : 1)
        var loss = meanSquaredErrorForward(outputs: outputs, targets: targets, count: count)
        loss = penaltyForward(activityPenalty, loss: loss, weights: hiddenNew, count: count * units, scale: activityScale)
        loss = penaltyForward(kernelPenalty, loss: loss, weights: weights.kernel, count: layout.kernel.count)
        loss = penaltyForward(recurrentPenalty, loss: loss, weights: weights.recurrentKernel,
                              count: layout.recurrentKernel.count)
        loss = penaltyForward(biasPenalty, loss: loss, weights: weights.bias, count: layout.bias.count)

        gradients.update(repeating: V(broadcast: 0), count: layout.count)
        meanSquaredErrorBackward(outputGradient: outputGradient, outputs: outputs, targets: targets, count: count)
        denseBackward(hiddenGradient: hiddenGradient, gradients: grads, outputGradient: outputGradient,
                      hidden: hiddenNew, weights: weights, count: count, units: units)
        penaltyBackward(activityPenalty, gradient: hiddenGradient, weights: hiddenNew, count: count * units,
                        scale: activityScale)
        lstmBackward(gradients: grads, preActivationGradient: preActivationGradient, hiddenGradient: hiddenGradient,
                     gates: gates, gateDerivatives: gateDerivatives, tanhCellNew: tanhCellNew, input: inputs,
                     hiddenPrevious: hiddenState, cellPrevious: cellState, count: count, lag: lag, units: units)
        penaltyBackward(kernelPenalty, gradient: grads.kernel, weights: weights.kernel, count: layout.kernel.count)
        penaltyBackward(recurrentPenalty, gradient: grads.recurrentKernel, weights: weights.recurrentKernel,
                        count: layout.recurrentKernel.count)
        penaltyBackward(biasPenalty, gradient: grads.bias, weights: weights.bias, count: layout.bias.count)
        return loss
    }

    @inlinable @inline(__always)
    func trainBatch(_ inputs: UnsafePointer<Double>, _ targets: UnsafePointer<Double>, count: Int,
                    sizes: LoopSizes) -> V {
        // A whole batch has the constant size B, so that its loops unroll when B is a constant.
        let loss = count == sizes.batchSize
            ? lossAndGradient(inputs, targets, count: sizes.batchSize, sizes: sizes)
            : lossAndGradient(inputs, targets, count: count, sizes: sizes)
        adamUpdates += 1
        adamStep(count: sizes.layout.count, alpha: stepSize(at: adamUpdates))
        carryState(count: count, units: sizes.units)
        return loss
    }

    @inlinable @inline(__always)
    func trainEpoch(_ inputs: UnsafePointer<Double>, _ targets: UnsafePointer<Double>, rowCount: Int,
                    sizes: LoopSizes) -> V {
        var lossSum = V(broadcast: 0)
        var batches = 0
        var start = 0
        while start < rowCount {
            let count = rowCount - start < sizes.batchSize ? rowCount - start : sizes.batchSize
            lossSum = lossSum + trainBatch(inputs + start * sizes.lag, targets + start, count: count, sizes: sizes)
            batches += 1
            start += count
        }
        resetState()
        return lossSum / V(broadcast: Double(batches))
    }

    @inlinable @inline(__always)
    func predict(_ inputs: UnsafePointer<Double>, rowCount: Int, into predictions: UnsafeMutablePointer<V>,
                 sizes: LoopSizes) {
        let weights = TensorViews(parameters, sizes.layout)
        var start = 0
        while start < rowCount {
            let count = rowCount - start < sizes.batchSize ? rowCount - start : sizes.batchSize
            if count == sizes.batchSize {
                predictBatch(inputs + start * sizes.lag, into: predictions + start, count: sizes.batchSize,
                             weights: weights, sizes: sizes)
            } else {
                predictBatch(inputs + start * sizes.lag, into: predictions + start, count: count, weights: weights,
                             sizes: sizes)
            }
            start += count
        }
    }

    @inlinable @inline(__always)
    func predictBatch(_ inputs: UnsafePointer<Double>, into predictions: UnsafeMutablePointer<V>, count: Int,
                      weights: TensorViews<V>, sizes: LoopSizes) {
        lstmForward(gates: gates, gateDerivatives: gateDerivatives, cellNew: cellNew, tanhCellNew: tanhCellNew,
                    hiddenNew: hiddenNew, input: inputs, hiddenPrevious: hiddenState, cellPrevious: cellState,
                    weights: weights, count: count, lag: sizes.lag, units: sizes.units, activation: recurrentActivation,
                    keepDerivatives: false)
        denseForward(outputs: predictions, hidden: hiddenNew, weights: weights, count: count, units: sizes.units)
        carryState(count: count, units: sizes.units)
    }

    /// Every lane's predictions of `rowCount` rows from a reset state, lane 0's returned; the state is reset again
    /// afterwards.
    public func predictFromReset(inputs: [Double], rowCount: Int) -> [Double] {
        var outputs = [V](repeating: V(broadcast: 0), count: rowCount)
        resetState()
        inputs.withUnsafeBufferPointer { input in
            outputs.withUnsafeMutableBufferPointer { output in
                predict(inputs: input.baseAddress!, rowCount: rowCount, into: output.baseAddress!)
            }
        }
        resetState()
        return outputs.map { $0[lane: 0] }
    }

    /// Each lane's Adam step size of update t (from 1): its table's, or computed past its end.
    @inlinable @inline(__always)
    func stepSize(at t: Int) -> V {
        if uniformStepSizes {
            return V(broadcast: t <= stepSizes[0].count ? stepSizes[0][t - 1] : adams[0].stepSize(at: t))
        }
        var alpha = V(broadcast: 0)
        for lane in 0..<V.laneCount {
            alpha[lane: lane] = t <= stepSizes[lane].count ? stepSizes[lane][t - 1] : adams[lane].stepSize(at: t)
        }
        return alpha
    }

    /// One Adam update of every parameter. One run alone updates four parameters per `SIMD4<Double>` (`V.Quad`), the
    /// same operations on each; the buffers are aligned for it (`zeroedBuffer`).
    @inlinable @inline(__always)
    func adamStep(count: Int, alpha: V) {
        var packed = 0
        if V.laneCount == 1 && V.Quad.laneCount == 4 {
            packed = count / 4
            func quads(_ buffer: UnsafeMutablePointer<V>) -> UnsafeMutablePointer<V.Quad> {
                UnsafeMutableRawPointer(buffer).assumingMemoryBound(to: V.Quad.self)
            }
            adamUpdate(parameters: quads(parameters), gradients: quads(gradients), firstMoment: quads(firstMoment),
                       secondMoment: quads(secondMoment), count: packed, alpha: V.Quad(broadcast: alpha[lane: 0]),
                       settings: adams[0])
            packed *= 4
        }
        adamUpdate(parameters: parameters + packed, gradients: gradients + packed, firstMoment: firstMoment + packed,
                   secondMoment: secondMoment + packed, count: count - packed, alpha: alpha, settings: adams[0])
    }

    /// The batch's final (h, c) of slots 0..<count become the carried state.
    @inlinable @inline(__always)
    func carryState(count: Int, units: Int) {
        for index in 0..<(count * units) {
            hiddenState[index] = hiddenNew[index]
            cellState[index] = cellNew[index]
        }
    }
}

/// What one lane's run has of its own: its penalties, Adam's learning rate and step sizes, its initial parameters.
public struct LaneRun: Sendable {
    public var regularization: Regularization
    public var learningRate: Double
    /// `AdamSettings.stepSizes(count:)` for the updates to come (shared by runs with the same settings), or empty.
    public var stepSizes: [Double]
    /// In `ParameterLayout` order.
    public var initialParameters: [Double]

    public init(regularization: Regularization, learningRate: Double, stepSizes: [Double] = [],
                initialParameters: [Double]) {
        self.regularization = regularization
        self.learningRate = learningRate
        self.stepSizes = stepSizes
        self.initialParameters = initialParameters
    }
}

/// The sizes the passes loop over. Every loop bound derives from them, so when they are constants (`study`, the
/// study's network) the compiler unrolls the loops; the operations and their order are the same either way.
@frozen public struct LoopSizes: Equatable {
    public var lag: Int
    public var units: Int
    public var batchSize: Int

    @inlinable @inline(__always)
    public init(lag: Int, units: Int, batchSize: Int) {
        self.lag = lag
        self.units = units
        self.batchSize = batchSize
    }

    /// The study's network: lag 1, 3 units, batch 4 (SPEC §2).
    @inlinable public static var study: LoopSizes { LoopSizes(lag: 1, units: 3, batchSize: 4) }

    @inlinable var layout: ParameterLayout { ParameterLayout(NetworkShape(lag: lag, units: units)) }
}

/// A buffer of `count` zeroed values, for the network's parameters, moments, states and caches; aligned to 64 bytes,
/// so that a run alone's values may be read four at a time as `SIMD4<Double>` (`LSTMNetwork.adamStep`).
func zeroedBuffer<V: LaneReal>(_ count: Int) -> UnsafeMutablePointer<V> {
    let raw = UnsafeMutableRawPointer.allocate(byteCount: max(1, count) * MemoryLayout<V>.stride,
                                               alignment: max(64, MemoryLayout<V>.alignment))
    let pointer = raw.bindMemory(to: V.self, capacity: count)
    pointer.initialize(repeating: V(broadcast: 0), count: count)
    return pointer
}
