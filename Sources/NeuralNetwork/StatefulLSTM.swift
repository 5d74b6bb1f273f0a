/// Everything that fixes how one network trains: its shape, σ, Adam, the penalties and the batch size.
public struct NetworkSettings: Sendable, Equatable, Hashable, Codable {
    public var shape: NetworkShape
    public var recurrentActivation: RecurrentActivation
    public var adam: AdamSettings
    public var regularization: Regularization
    public var activityPenaltyDividedByBatch: Bool
    public var batchSize: Int

    public init(shape: NetworkShape, recurrentActivation: RecurrentActivation, adam: AdamSettings,
                regularization: Regularization, activityPenaltyDividedByBatch: Bool, batchSize: Int) {
        self.shape = shape
        self.recurrentActivation = recurrentActivation
        self.adam = adam
        self.regularization = regularization
        self.activityPenaltyDividedByBatch = activityPenaltyDividedByBatch
        self.batchSize = batchSize
    }

    /// The settings a Keras profile implies for a shape, penalties and batch size.
    public init(shape: NetworkShape, profile: KerasProfile, regularization: Regularization, batchSize: Int,
                learningRate: Double = 0.001) {
        self.init(shape: shape, recurrentActivation: profile.recurrentActivation,
                  adam: AdamSettings(learningRate: learningRate, epsilon: profile.adamEpsilon),
                  regularization: regularization,
                  activityPenaltyDividedByBatch: profile.activityPenaltyDividedByBatch, batchSize: batchSize)
    }
}

/// A stateful LSTM(units) → Dense(1) network with batch size B, as a Keras `stateful=True` model trained one
/// timestep per batch: sample j of each batch starts from the final (h, c) of sample j of the previous batch.
///
/// Owns its parameters, gradients, Adam moments, the carried state and the activations cached by the forward pass,
/// in buffers allocated once; training and prediction allocate nothing.
public final class StatefulLSTM {
    public let settings: NetworkSettings
    public let layout: ParameterLayout
    let lag: Int, units: Int, batchSize: Int, gateWidth: Int

    let parameters: UnsafeMutablePointer<Double>       // [P]
    let gradients: UnsafeMutablePointer<Double>        // [P]
    let firstMoment: UnsafeMutablePointer<Double>      // [P]
    let secondMoment: UnsafeMutablePointer<Double>     // [P]
    /// Number of Adam updates applied.
    public private(set) var adamStep = 0

    let hiddenState: UnsafeMutablePointer<Double>      // [B × u]
    let cellState: UnsafeMutablePointer<Double>        // [B × u]
    // Forward caches for one batch.
    let cachedGates: UnsafeMutablePointer<Double>      // [B × 4u]
    let cachedGateDerivatives: UnsafeMutablePointer<Double>  // [B × 4u]
    let cachedCellNew: UnsafeMutablePointer<Double>    // [B × u]
    let cachedTanhCellNew: UnsafeMutablePointer<Double>  // [B × u]
    let cachedHiddenNew: UnsafeMutablePointer<Double>  // [B × u]
    let cachedOutputs: UnsafeMutablePointer<Double>    // [B]
    let scratchHiddenGradient: UnsafeMutablePointer<Double>  // [u]
    let scratchPreActivationGradient: UnsafeMutablePointer<Double>  // [4u]

    /// Adam's step sizes for updates 1…n, when precomputed (`AdamSettings.stepSizes(count:)`).
    let stepSizes: [Double]

    /// A network with the given initial parameters (in `ParameterLayout` order), zero state and fresh Adam moments.
    /// `stepSizes`, when given, must be `settings.adam.stepSizes(count:)`; later updates compute theirs.
    public init(settings: NetworkSettings, parameters initial: [Double], stepSizes: [Double] = []) {
        self.settings = settings
        self.stepSizes = stepSizes
        layout = ParameterLayout(settings.shape)
        precondition(initial.count == layout.count, "expected \(layout.count) parameters, got \(initial.count)")
        lag = settings.shape.lag
        units = settings.shape.units
        batchSize = settings.batchSize
        gateWidth = 4 * units
        let count = layout.count
        parameters = zeroedBuffer(count)
        gradients = zeroedBuffer(count)
        firstMoment = zeroedBuffer(count)
        secondMoment = zeroedBuffer(count)
        hiddenState = zeroedBuffer(batchSize * units)
        cellState = zeroedBuffer(batchSize * units)
        cachedGates = zeroedBuffer(batchSize * gateWidth)
        cachedGateDerivatives = zeroedBuffer(batchSize * gateWidth)
        cachedCellNew = zeroedBuffer(batchSize * units)
        cachedTanhCellNew = zeroedBuffer(batchSize * units)
        cachedHiddenNew = zeroedBuffer(batchSize * units)
        cachedOutputs = zeroedBuffer(batchSize)
        scratchHiddenGradient = zeroedBuffer(units)
        scratchPreActivationGradient = zeroedBuffer(gateWidth)
        for index in 0..<count { parameters[index] = initial[index] }
    }

    deinit {
        for pointer in [parameters, gradients, firstMoment, secondMoment, hiddenState, cellState, cachedGates,
                        cachedGateDerivatives, cachedCellNew, cachedTanhCellNew, cachedHiddenNew, cachedOutputs,
                        scratchHiddenGradient, scratchPreActivationGradient] {
            pointer.deallocate()
        }
    }

    // MARK: - State and parameters

    /// Zeroes the carried (h, c) of every batch slot, as Keras's `reset_states()`.
    public func resetState() {
        hiddenState.update(repeating: 0, count: batchSize * units)
        cellState.update(repeating: 0, count: batchSize * units)
    }

    /// A copy of the parameters in `ParameterLayout` order.
    public var parameterValues: [Double] { Array(UnsafeBufferPointer(start: parameters, count: layout.count)) }

    /// A copy of the gradient of the last `lossAndGradient` call.
    public var gradientValues: [Double] { Array(UnsafeBufferPointer(start: gradients, count: layout.count)) }

    /// A copy of Adam's moments and step.
    public var adamState: AdamState {
        var state = AdamState(parameterCount: layout.count)
        state.firstMoment = Array(UnsafeBufferPointer(start: firstMoment, count: layout.count))
        state.secondMoment = Array(UnsafeBufferPointer(start: secondMoment, count: layout.count))
        state.step = adamStep
        return state
    }

    /// Replaces the parameters (e.g. from a checkpoint).
    public func setParameters(_ values: [Double]) {
        precondition(values.count == layout.count, "expected \(layout.count) parameters")
        for index in values.indices { parameters[index] = values[index] }
    }

    /// Sets the carried state of every slot (row-major `[B × u]` each), for gradient checks.
    public func setState(hidden: [Double], cell: [Double]) {
        precondition(hidden.count == batchSize * units && cell.count == batchSize * units)
        for index in hidden.indices {
            hiddenState[index] = hidden[index]
            cellState[index] = cell[index]
        }
    }

    // MARK: - Training

    /// Loss and gradient of one batch of `count` ≤ B rows at the current parameters and carried state, without
    /// changing either:
    /// `L = (1/n)·Σ(yⱼ − tⱼ)² + Σ_W L1L2_W(W) + a·L1L2_act(h')`, with `a = 1/n` when the profile divides the
    /// activity penalty by the batch size, else 1. The gradient is left in the gradient buffer.
    ///
    /// - Parameters:
    ///   - inputs: `[count × lag]` scaled inputs.
    ///   - targets: `[count]` scaled targets.
    @discardableResult
    public func lossAndGradient(inputs: UnsafePointer<Double>, targets: UnsafePointer<Double>, count: Int) -> Double {
        let weights = WeightViews(UnsafePointer(parameters), layout)
        let grads = GradientViews(gradients, layout)
        let activation = settings.recurrentActivation
        let n = Double(count)
        var squaredError = 0.0
        forward(inputs, count: count, weights: weights, activation: activation)
        for slot in 0..<count {
            let error = cachedOutputs[slot] - targets[slot]
            squaredError += error * error
        }
        var loss = squaredError / n

        let penalties = settings.regularization
        let activityScale = settings.activityPenaltyDividedByBatch ? 1 / n : 1
        if !penalties.activity.isZero {
            loss += activityScale * penalties.activity.penalty(cachedHiddenNew, count: count * units)
        }
        loss += penalties.kernel.penalty(weights.kernel, count: layout.kernel.count)
        loss += penalties.recurrentKernel.penalty(weights.recurrentKernel, count: layout.recurrentKernel.count)
        loss += penalties.bias.penalty(weights.bias, count: layout.bias.count)

        gradients.update(repeating: 0, count: layout.count)
        for slot in 0..<count {
            let hiddenNew = cachedHiddenNew + slot * units
            let outputGradient = 2 * (cachedOutputs[slot] - targets[slot]) / n
            denseBackward(hiddenGradient: scratchHiddenGradient, gradients: grads, outputGradient: outputGradient,
                          hidden: hiddenNew, weights: weights, units: units)
            penalties.activity.accumulateGradient(
                scratchHiddenGradient, of: hiddenNew, count: units, scale: activityScale)
            lstmCellBackward(
                gradients: grads, preActivationGradient: scratchPreActivationGradient,
                hiddenGradient: scratchHiddenGradient,
                gates: cachedGates + slot * gateWidth, gateDerivatives: cachedGateDerivatives + slot * gateWidth,
                tanhCellNew: cachedTanhCellNew + slot * units, input: inputs + slot * lag,
                hiddenPrevious: hiddenState + slot * units, cellPrevious: cellState + slot * units,
                lag: lag, units: units)
        }
        penalties.kernel.accumulateGradient(grads.kernel, of: weights.kernel, count: layout.kernel.count)
        penalties.recurrentKernel.accumulateGradient(
            grads.recurrentKernel, of: weights.recurrentKernel, count: layout.recurrentKernel.count)
        penalties.bias.accumulateGradient(grads.bias, of: weights.bias, count: layout.bias.count)
        return loss
    }

    /// One training step on a batch: loss and gradient (before the update), one Adam update, then the batch's
    /// final (h, c) become the carried state. Returns the batch loss, as Keras accumulates it for the epoch.
    public func trainBatch(inputs: UnsafePointer<Double>, targets: UnsafePointer<Double>, count: Int) -> Double {
        let loss = lossAndGradient(inputs: inputs, targets: targets, count: count)
        adamStep += 1
        let alpha = adamStep <= stepSizes.count ? stepSizes[adamStep - 1] : settings.adam.stepSize(at: adamStep)
        adamUpdate(parameters: parameters, gradients: gradients, firstMoment: firstMoment,
                   secondMoment: secondMoment, count: layout.count, alpha: alpha, settings: settings.adam)
        carryState(count: count)
        return loss
    }

    /// Trains one epoch over `rowCount` rows (a multiple of B) in order, then resets the state.
    /// Returns the epoch loss: the mean of the batch losses.
    public func trainEpoch(inputs: UnsafePointer<Double>, targets: UnsafePointer<Double>, rowCount: Int) -> Double {
        var lossSum = 0.0
        var batches = 0
        var start = 0
        while start < rowCount {
            let count = min(batchSize, rowCount - start)
            lossSum += trainBatch(inputs: inputs + start * lag, targets: targets + start, count: count)
            batches += 1
            start += count
        }
        resetState()
        return lossSum / Double(batches)
    }

    // MARK: - Prediction

    /// Predicts `rowCount` rows in order, in batches of B, carrying the state across batches (row r uses slot
    /// r mod B); the state is left as the last batch leaves it. Forward only: no derivative is computed or kept.
    public func predict(inputs: UnsafePointer<Double>, rowCount: Int, into outputs: UnsafeMutablePointer<Double>) {
        let weights = WeightViews(UnsafePointer(parameters), layout)
        let activation = settings.recurrentActivation
        var start = 0
        while start < rowCount {
            let count = min(batchSize, rowCount - start)
            forward(inputs + start * lag, count: count, weights: weights, activation: activation, keepDerivatives: false)
            for slot in 0..<count { outputs[start + slot] = cachedOutputs[slot] }
            carryState(count: count)
            start += count
        }
    }

    /// Predictions for `rowCount` rows from a reset state; the state is reset again afterwards.
    public func predictFromReset(inputs: [Double], rowCount: Int) -> [Double] {
        var outputs = [Double](repeating: 0, count: rowCount)
        resetState()
        inputs.withUnsafeBufferPointer { input in
            outputs.withUnsafeMutableBufferPointer { output in
                predict(inputs: input.baseAddress!, rowCount: rowCount, into: output.baseAddress!)
            }
        }
        resetState()
        return outputs
    }

    // MARK: - Internals

    /// Forward of `count` slots from the carried state; fills the caches and `cachedOutputs`.
    @inline(__always)
    private func forward(_ inputs: UnsafePointer<Double>, count: Int, weights: WeightViews,
                         activation: RecurrentActivation, keepDerivatives: Bool = true) {
        lstmCellForward(
            gates: cachedGates, gateDerivatives: cachedGateDerivatives, cellNew: cachedCellNew,
            tanhCellNew: cachedTanhCellNew, hiddenNew: cachedHiddenNew, input: inputs,
            hiddenPrevious: hiddenState, cellPrevious: cellState,
            count: count, weights: weights, lag: lag, units: units, activation: activation,
            keepDerivatives: keepDerivatives)
        for slot in 0..<count {
            cachedOutputs[slot] = denseForward(hidden: cachedHiddenNew + slot * units, weights: weights, units: units)
        }
    }

    /// The batch's final (h, c) of slots 0..<count become the carried state.
    @inline(__always)
    private func carryState(count: Int) {
        hiddenState.update(from: cachedHiddenNew, count: count * units)
        cellState.update(from: cachedCellNew, count: count * units)
    }
}
