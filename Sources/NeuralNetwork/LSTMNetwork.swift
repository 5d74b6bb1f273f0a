/// An LSTM(units) → Dense(1) network as Keras trains a model with batch size B. Each sample is T timesteps of `lag`
/// features (T = 1: lag as features; lag = 1: lag as timesteps). Stateful (`stateful=True`): sample j of each batch
/// starts from the final (h, c) of sample j of the previous batch; stateless: every batch starts from zero. No
/// gradient flows into the state a batch starts from. Dropout (training only) multiplies the inputs and the carried
/// h by masks drawn once per batch and shared by its timesteps (`DropoutSettings`); shuffling feeds each epoch's
/// rows in an order drawn from the run's random source.
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
    @usableFromInline let lag: Int, units: Int, batchSize: Int, timesteps: Int
    @usableFromInline let stateful: Bool, shuffle: Bool
    @usableFromInline let dropout: DropoutSettings
    /// Each lane's random source, continuing after its initial weights: the dropout masks and the row orders.
    @usableFromInline var randoms: [RandomSource]
    /// Masks and row orders to use instead of drawing them (a Keras dump's, replayed in every lane).
    public var replay: RecordedRandomness?
    /// Epochs trained (the index of a replayed epoch).
    @usableFromInline var epochsTrained = 0
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
    @usableFromInline let hiddenGradientEarlier: UnsafeMutablePointer<V>  // [B × u], T > 1
    @usableFromInline let cellGradient: UnsafeMutablePointer<V>           // [B × u], T > 1
    @usableFromInline let cellGradientEarlier: UnsafeMutablePointer<V>    // [B × u], T > 1
    // One batch's dropout masks.
    @usableFromInline let inputMask: UnsafeMutablePointer<V>        // [B × 4 × lag]
    @usableFromInline let recurrentMask: UnsafeMutablePointer<V>    // [B × 4 × u]
    // The rows of an epoch or a prediction, as lanes (each lane its own order when shuffled).
    @usableFromInline var rowInputs: UnsafeMutablePointer<V>        // [rows × T × lag]
    @usableFromInline var rowTargets: UnsafeMutablePointer<V>       // [rows]
    @usableFromInline var rowCapacity = 0

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
        timesteps = settings.shape.timesteps
        stateful = settings.stateful
        shuffle = settings.shuffle
        dropout = settings.dropout
        randoms = lanes.map(\.random)
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
        let steps = timesteps
        gates = zeroedBuffer(steps * batchSize * gateWidth)
        gateDerivatives = zeroedBuffer(steps * batchSize * gateWidth)
        cellNew = zeroedBuffer(steps * batchSize * units)
        tanhCellNew = zeroedBuffer(steps * batchSize * units)
        hiddenNew = zeroedBuffer(steps * batchSize * units)
        outputs = zeroedBuffer(batchSize)
        outputGradient = zeroedBuffer(batchSize)
        hiddenGradient = zeroedBuffer(batchSize * units)
        preActivationGradient = zeroedBuffer(gateWidth)
        hiddenGradientEarlier = zeroedBuffer(batchSize * units)
        cellGradient = zeroedBuffer(batchSize * units)
        cellGradientEarlier = zeroedBuffer(batchSize * units)
        inputMask = zeroedBuffer(batchSize * 4 * lag)
        recurrentMask = zeroedBuffer(batchSize * 4 * units)
        rowInputs = zeroedBuffer(0)
        rowTargets = zeroedBuffer(0)
        for (lane, run) in lanes.enumerated() {
            precondition(run.initialParameters.count == count, "expected \(count) parameters")
            for index in 0..<count { parameters[index][lane: lane] = run.initialParameters[index] }
        }
    }

    /// The same run in every lane (one run alone for `V = Double`), with the settings' own penalties and learning rate.
    /// - Parameter random: the random source of the masks and row orders (dropout, shuffling) of every lane.
    public convenience init(settings: NetworkSettings, parameters: [Double], random: RandomSource = RandomSource(seed: 0)) {
        let run = LaneRun(regularization: settings.regularization, learningRate: settings.adam.learningRate,
                          initialParameters: parameters, random: random)
        self.init(settings: settings, lanes: Array(repeating: run, count: V.laneCount))
    }

    deinit {
        for buffer in [parameters, gradients, firstMoment, secondMoment, hiddenState, cellState, gates, gateDerivatives,
                       cellNew, tanhCellNew, hiddenNew, outputs, outputGradient, hiddenGradient, preActivationGradient,
                       hiddenGradientEarlier, cellGradient, cellGradientEarlier, inputMask, recurrentMask, rowInputs,
                       rowTargets] {
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

    /// Sets every lane's dropout masks (`[B × 4 × lag]` input, `[B × 4 × u]` recurrent, each value 0 or 1/(1 − rate)),
    /// which the next `lossAndGradient` call applies where the settings' rate is above 0 (for gradient checks).
    public func setMasks(input: [Double], recurrent: [Double]) {
        precondition(input.count == batchSize * 4 * lag && recurrent.count == batchSize * 4 * units)
        for index in input.indices { inputMask[index] = V(broadcast: input[index]) }
        for index in recurrent.indices { recurrentMask[index] = V(broadcast: recurrent[index]) }
    }

    private func values(_ buffer: UnsafeMutablePointer<V>, lane: Int) -> [Double] {
        (0..<layout.count).map { buffer[$0][lane: lane] }
    }

    // MARK: - Training

    /// Loss and gradient of one batch of `count` ≤ B rows at the current parameters, carried state and masks, without
    /// changing them (the gradient is left in the gradient buffer):
    /// `L = (1/n)·Σ(yⱼ − tⱼ)² + a·L1L2_act(h_T) + L1L2_kernel + L1L2_recurrent + L1L2_bias`, with `a = 1/n` when the
    /// profile divides the activity penalty by the batch size, else 1; each penalty only in the lanes that have it.
    ///
    /// - Parameters:
    ///   - inputs: `[count × T × lag]` scaled inputs (shared by every lane).
    ///   - targets: `[count]` scaled targets.
    @inlinable @discardableResult
    public func lossAndGradient(inputs: UnsafePointer<Double>, targets: UnsafePointer<Double>, count: Int) -> V {
        loadRows(inputs, targets, rowCount: count, order: nil)
        return lossAndGradient(rowInputs, rowTargets, count: count, masks: maskViews(), sizes: sizes)
    }

    /// One training step on a batch (shared by every lane): loss and gradient (before the update) with the current
    /// masks, one Adam update, then the batch's final (h, c) become the carried state (stateful) or the state is
    /// reset (stateless). Returns the batch loss, as Keras accumulates it for the epoch.
    @inlinable
    public func trainBatch(inputs: UnsafePointer<Double>, targets: UnsafePointer<Double>, count: Int) -> V {
        loadRows(inputs, targets, rowCount: count, order: nil)
        return trainBatch(rowInputs, rowTargets, count: count, masks: maskViews(), sizes: sizes)
    }

    /// One epoch over `rowCount` rows (each lane's own order when shuffled, else in order; one Adam step per batch of
    /// B, with fresh dropout masks per batch), then a state reset; returns each lane's epoch loss, the mean of its
    /// batch losses.
    @inlinable
    public func trainEpoch(inputs: UnsafePointer<Double>, targets: UnsafePointer<Double>, rowCount: Int) -> V {
        loadRows(inputs, targets, rowCount: rowCount, order: shuffle ? rowOrders(rowCount) : nil)
        let masked = dropout.isActive
        let loss = sizes == .study && !masked ? trainStudyEpoch(rowCount: rowCount)
            : trainFamilyEpoch(rowCount: rowCount, masked: masked) ?? trainEpochOfAnySize(rowCount: rowCount, masked: masked)
        epochsTrained += 1
        return loss
    }

    /// The study's network's epoch: its sizes constants, so that the passes' loops unroll. A function of its own (as
    /// is the epoch of any size), so that the passes are inlined into each with their sizes, once.
    @inlinable @inline(never)
    func trainStudyEpoch(rowCount: Int) -> V { trainEpoch(rowCount: rowCount, masked: false, sizes: .study) }

    /// The epoch of the family's most trained networks (the study's with dropout, and `FamilySizes`), their sizes
    /// constants; nil for other sizes.
    @inlinable @inline(__always)
    func trainFamilyEpoch(rowCount: Int, masked: Bool) -> V? {
        let sizes = self.sizes
        if masked { return sizes == .study ? trainMaskedStudyEpoch(rowCount: rowCount) : nil }
        return FamilySizes.dispatch(sizes, EpochTraining(network: self, rowCount: rowCount))
    }

    @inlinable @inline(never)
    func trainMaskedStudyEpoch(rowCount: Int) -> V { trainEpoch(rowCount: rowCount, masked: true, sizes: .study) }

    /// An unmasked epoch of the sizes `S` names, specialized (and its passes inlined) once per `S`.
    @inlinable @inline(never)
    func trainEpoch<S: ConstantSizes>(rowCount: Int, sizes: S.Type) -> V {
        trainEpoch(rowCount: rowCount, masked: false, sizes: S.sizes)
    }

    @inlinable @inline(never)
    func trainEpochOfAnySize(rowCount: Int, masked: Bool) -> V {
        masked ? trainEpoch(rowCount: rowCount, masked: true, sizes: sizes)
            : trainEpoch(rowCount: rowCount, masked: false, sizes: sizes)
    }

    // MARK: - Prediction

    /// Predicts `rowCount` rows (shared by every lane) in order, in calls of `rowsPerCall` rows (B: Keras's one-shot
    /// `predict`; 1: walk-forward, row by row), row r of a call in slot r; a stateful network carries the state from
    /// call to call (and leaves it as the last call leaves it), a stateless one starts each call from zero. Forward
    /// only: no derivative is computed or kept, no mask applied.
    @inlinable
    public func predict(inputs: UnsafePointer<Double>, rowCount: Int, into predictions: UnsafeMutablePointer<V>,
                        rowsPerCall: Int? = nil) {
        loadRows(inputs, nil, rowCount: rowCount, order: nil)
        let step = rowsPerCall ?? batchSize
        precondition(step >= 1 && step <= batchSize, "1 to B rows per call")
        if sizes == .study {
            predictStudyRows(rowCount: rowCount, rowsPerCall: step, into: predictions)
        } else if !predictFamilyRows(rowCount: rowCount, rowsPerCall: step, into: predictions) {
            predictRowsOfAnySize(rowCount: rowCount, rowsPerCall: step, into: predictions)
        }
    }

    /// The study's network's prediction, its sizes constants (see `trainStudyEpoch`).
    @inlinable @inline(never)
    func predictStudyRows(rowCount: Int, rowsPerCall: Int, into predictions: UnsafeMutablePointer<V>) {
        predict(rowCount: rowCount, rowsPerCall: rowsPerCall, into: predictions, sizes: .study)
    }

    /// The prediction of the family's most trained networks (`FamilySizes`), their sizes constants; false (nothing
    /// predicted) for other sizes.
    @inlinable @inline(__always)
    func predictFamilyRows(rowCount: Int, rowsPerCall: Int, into predictions: UnsafeMutablePointer<V>) -> Bool {
        FamilySizes.dispatch(sizes, RowPrediction(network: self, rowCount: rowCount, rowsPerCall: rowsPerCall,
                                                  predictions: predictions)) != nil
    }

    /// A prediction with the sizes `S` names, specialized (and its passes inlined) once per `S`.
    @inlinable @inline(never)
    func predict<S: ConstantSizes>(rowCount: Int, rowsPerCall: Int, into predictions: UnsafeMutablePointer<V>, sizes: S.Type) {
        predict(rowCount: rowCount, rowsPerCall: rowsPerCall, into: predictions, sizes: S.sizes)
    }

    @inlinable @inline(never)
    func predictRowsOfAnySize(rowCount: Int, rowsPerCall: Int, into predictions: UnsafeMutablePointer<V>) {
        predict(rowCount: rowCount, rowsPerCall: rowsPerCall, into: predictions, sizes: sizes)
    }

    // MARK: - Rows and masks

    /// Copies rows into the lanes' row buffers: every lane the same rows, or lane l the rows in `order[l]`.
    @inlinable
    func loadRows(_ inputs: UnsafePointer<Double>, _ targets: UnsafePointer<Double>?, rowCount: Int, order: [[Int]]?) {
        let width = timesteps * lag
        if rowCount > rowCapacity {
            rowInputs.deallocate()
            rowTargets.deallocate()
            rowCapacity = rowCount
            rowInputs = zeroedBuffer(rowCount * width)
            rowTargets = zeroedBuffer(rowCount)
        }
        guard let order else {
            for index in 0..<(rowCount * width) { rowInputs[index] = V(broadcast: inputs[index]) }
            if let targets { for row in 0..<rowCount { rowTargets[row] = V(broadcast: targets[row]) } }
            return
        }
        for lane in 0..<V.laneCount {
            for row in 0..<rowCount {
                let source = order[lane][row]
                for k in 0..<width { rowInputs[row * width + k][lane: lane] = inputs[source * width + k] }
                if let targets { rowTargets[row][lane: lane] = targets[source] }
            }
        }
    }

    /// Each lane's order of this epoch's rows: a Fisher–Yates shuffle (for i from n − 1 down to 1, swap i with
    /// ⌊u·(i + 1)⌋, u uniform in [0, 1)) from its random source, or the replayed order.
    @inlinable
    func rowOrders(_ rowCount: Int) -> [[Int]] {
        if let replay {
            let order = replay.rowOrder(epoch: epochsTrained, rowCount: rowCount)
            return Array(repeating: order, count: V.laneCount)
        }
        return (0..<V.laneCount).map { lane in
            var order = Array(0..<rowCount)
            var index = rowCount - 1
            while index > 0 {
                let other = min(index, Int(randoms[lane].nextUnit() * Double(index + 1)))
                order.swapAt(index, other)
                index -= 1
            }
            return order
        }
    }

    /// Draws the masks of the next batch of `count` rows into the mask buffers (`DropoutSettings.drawMasks`), lane by
    /// lane from its random source, or takes the replayed ones.
    @inlinable
    func drawMasks(batch: Int, count: Int) {
        if let replay {
            let (input, recurrent) = replay.masks(epoch: epochsTrained, batch: batch, rows: count, lag: lag, units: units)
            for index in input.indices { inputMask[index] = V(broadcast: input[index]) }
            for index in recurrent.indices { recurrentMask[index] = V(broadcast: recurrent[index]) }
            return
        }
        for lane in 0..<V.laneCount {
            let (input, recurrent) = dropout.drawMasks(rows: count, lag: lag, units: units, using: &randoms[lane])
            for index in input.indices { inputMask[index][lane: lane] = input[index] }
            for index in recurrent.indices { recurrentMask[index][lane: lane] = recurrent[index] }
        }
    }

    @inlinable @inline(__always)
    func maskViews() -> DropoutMaskViews<V> {
        DropoutMaskViews(input: inputMask, recurrent: recurrentMask, inputMasked: dropout.input > 0,
                         recurrentMasked: dropout.recurrent > 0)
    }

    // MARK: - The passes, over given sizes

    /// The network's sizes, which every loop of the passes runs over.
    @inlinable var sizes: LoopSizes { LoopSizes(lag: lag, units: units, batchSize: batchSize, timesteps: timesteps) }

    /// The forward pass of one batch through its T timesteps; step t's values at offset t·B of each cache.
    @inlinable @inline(__always)
    func forward(_ inputs: UnsafePointer<V>, count: Int, masks: DropoutMaskViews<V>, weights: TensorViews<V>,
                 keepDerivatives: Bool, sizes: LoopSizes) {
        let units = sizes.units, steps = sizes.timesteps, batch = sizes.batchSize
        var hidden = UnsafePointer(hiddenState), cell = UnsafePointer(cellState)
        for step in 0..<steps {
            let at = step * batch * units, gatesAt = step * batch * 4 * units
            lstmForward(gates: gates + gatesAt, gateDerivatives: gateDerivatives + gatesAt, cellNew: cellNew + at,
                        tanhCellNew: tanhCellNew + at, hiddenNew: hiddenNew + at, input: inputs + step * sizes.lag,
                        inputStride: steps * sizes.lag, hiddenPrevious: hidden, cellPrevious: cell, masks: masks,
                        weights: weights, count: count, lag: sizes.lag, units: units, activation: recurrentActivation,
                        keepDerivatives: keepDerivatives)
            hidden = UnsafePointer(hiddenNew + at)
            cell = UnsafePointer(cellNew + at)
        }
    }

    @inlinable @inline(__always)
    func lossAndGradient(_ inputs: UnsafePointer<V>, _ targets: UnsafePointer<V>, count: Int,
                         masks: DropoutMaskViews<V>, sizes: LoopSizes) -> V {
        let units = sizes.units, layout = sizes.layout, steps = sizes.timesteps, batch = sizes.batchSize
        let weights = TensorViews(parameters, layout), grads = TensorViews(gradients, layout)
        forward(inputs, count: count, masks: masks, weights: weights, keepDerivatives: true, sizes: sizes)
        let lastHidden = hiddenNew + (steps - 1) * batch * units
        denseForward(outputs: outputs, hidden: lastHidden, weights: weights, count: count, units: units)
        let activityScale = V(broadcast: activityDividedByBatch ? 1 / Double(count) : 1)
        var loss = meanSquaredErrorForward(outputs: outputs, targets: targets, count: count)
        loss = penaltyForward(activityPenalty, loss: loss, weights: lastHidden, count: count * units, scale: activityScale)
        loss = penaltyForward(kernelPenalty, loss: loss, weights: weights.kernel, count: layout.kernel.count)
        loss = penaltyForward(recurrentPenalty, loss: loss, weights: weights.recurrentKernel,
                              count: layout.recurrentKernel.count)
        loss = penaltyForward(biasPenalty, loss: loss, weights: weights.bias, count: layout.bias.count)

        gradients.update(repeating: V(broadcast: 0), count: layout.count)
        meanSquaredErrorBackward(outputGradient: outputGradient, outputs: outputs, targets: targets, count: count)
        denseBackward(hiddenGradient: hiddenGradient, gradients: grads, outputGradient: outputGradient,
                      hidden: lastHidden, weights: weights, count: count, units: units)
        penaltyBackward(activityPenalty, gradient: hiddenGradient, weights: lastHidden, count: count * units,
                        scale: activityScale)
        // Back through the timesteps, the gradients reaching each step's (h, c) in two buffers that swap roles.
        var dh = hiddenGradient, dhEarlier = hiddenGradientEarlier
        var dc = cellGradient, dcEarlier = cellGradientEarlier
        for step in stride(from: steps - 1, through: 0, by: -1) {
            let at = step * batch * units, gatesAt = step * batch * 4 * units, before = (step - 1) * batch * units
            lstmBackward(gradients: grads, preActivationGradient: preActivationGradient, hiddenGradient: dh,
                         cellGradientIn: step == steps - 1 ? nil : UnsafePointer(dc), hiddenGradientOut: dhEarlier,
                         cellGradientOut: dcEarlier, propagate: step > 0, gates: gates + gatesAt,
                         gateDerivatives: gateDerivatives + gatesAt, tanhCellNew: tanhCellNew + at,
                         input: inputs + step * sizes.lag, inputStride: steps * sizes.lag,
                         hiddenPrevious: step == 0 ? hiddenState : hiddenNew + before,
                         cellPrevious: step == 0 ? cellState : cellNew + before, masks: masks, weights: weights,
                         count: count, lag: sizes.lag, units: units)
            swap(&dh, &dhEarlier)
            swap(&dc, &dcEarlier)
        }
        penaltyBackward(kernelPenalty, gradient: grads.kernel, weights: weights.kernel, count: layout.kernel.count)
        penaltyBackward(recurrentPenalty, gradient: grads.recurrentKernel, weights: weights.recurrentKernel,
                        count: layout.recurrentKernel.count)
        penaltyBackward(biasPenalty, gradient: grads.bias, weights: weights.bias, count: layout.bias.count)
        return loss
    }

    @inlinable @inline(__always)
    func trainBatch(_ inputs: UnsafePointer<V>, _ targets: UnsafePointer<V>, count: Int, masks: DropoutMaskViews<V>,
                    sizes: LoopSizes) -> V {
        // A whole batch has the constant size B, so that its loops unroll when B is a constant.
        let loss = count == sizes.batchSize
            ? lossAndGradient(inputs, targets, count: sizes.batchSize, masks: masks, sizes: sizes)
            : lossAndGradient(inputs, targets, count: count, masks: masks, sizes: sizes)
        adamUpdates += 1
        adamStep(count: sizes.layout.count, alpha: stepSize(at: adamUpdates))
        if stateful { carryState(count: count, sizes: sizes) } else { resetState() }
        return loss
    }

    @inlinable @inline(__always)
    func trainEpoch(rowCount: Int, masked: Bool, sizes: LoopSizes) -> V {
        var lossSum = V(broadcast: 0)
        var batches = 0
        var start = 0
        let masks = masked ? maskViews() : maskViews().unmasked()
        let width = sizes.timesteps * sizes.lag
        while start < rowCount {
            let count = rowCount - start < sizes.batchSize ? rowCount - start : sizes.batchSize
            if masked { drawMasks(batch: batches, count: count) }
            lossSum = lossSum + trainBatch(rowInputs + start * width, rowTargets + start, count: count, masks: masks,
                                           sizes: sizes)
            batches += 1
            start += count
        }
        resetState()
        return lossSum / V(broadcast: Double(batches))
    }

    @inlinable @inline(__always)
    func predict(rowCount: Int, rowsPerCall: Int, into predictions: UnsafeMutablePointer<V>, sizes: LoopSizes) {
        let weights = TensorViews(parameters, sizes.layout)
        let width = sizes.timesteps * sizes.lag
        var start = 0
        while start < rowCount {
            let count = rowCount - start < rowsPerCall ? rowCount - start : rowsPerCall
            if !stateful { resetState() }
            if count == sizes.batchSize {
                predictBatch(rowInputs + start * width, into: predictions + start, count: sizes.batchSize,
                             weights: weights, sizes: sizes)
            } else {
                predictBatch(rowInputs + start * width, into: predictions + start, count: count, weights: weights,
                             sizes: sizes)
            }
            start += count
        }
    }

    @inlinable @inline(__always)
    func predictBatch(_ inputs: UnsafePointer<V>, into predictions: UnsafeMutablePointer<V>, count: Int,
                      weights: TensorViews<V>, sizes: LoopSizes) {
        forward(inputs, count: count, masks: maskViews().unmasked(), weights: weights, keepDerivatives: false,
                sizes: sizes)
        denseForward(outputs: predictions, hidden: hiddenNew + (sizes.timesteps - 1) * sizes.batchSize * sizes.units,
                     weights: weights, count: count, units: sizes.units)
        carryState(count: count, sizes: sizes)
    }

    /// Every lane's predictions of `rowCount` rows from a reset state, in calls of `rowsPerCall` rows (default B),
    /// lane 0's returned; the state is reset again afterwards.
    public func predictFromReset(inputs: [Double], rowCount: Int, rowsPerCall: Int? = nil) -> [Double] {
        var outputs = [V](repeating: V(broadcast: 0), count: rowCount)
        resetState()
        inputs.withUnsafeBufferPointer { input in
            outputs.withUnsafeMutableBufferPointer { output in
                predict(inputs: input.baseAddress!, rowCount: rowCount, into: output.baseAddress!,
                        rowsPerCall: rowsPerCall)
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

    /// The batch's final (h, c) (its last timestep's) of slots 0..<count become the carried state.
    @inlinable @inline(__always)
    func carryState(count: Int, sizes: LoopSizes) {
        let last = (sizes.timesteps - 1) * sizes.batchSize * sizes.units
        for index in 0..<(count * sizes.units) {
            hiddenState[index] = hiddenNew[last + index]
            cellState[index] = cellNew[last + index]
        }
    }
}

/// What one lane's run has of its own: its penalties, Adam's learning rate and step sizes, its initial parameters
/// and its random source (dropout masks, row orders).
public struct LaneRun: Sendable {
    public var regularization: Regularization
    public var learningRate: Double
    /// `AdamSettings.stepSizes(count:)` for the updates to come (shared by runs with the same settings), or empty.
    public var stepSizes: [Double]
    /// In `ParameterLayout` order.
    public var initialParameters: [Double]
    /// The run's random source after its initial weights were drawn.
    public var random: RandomSource

    public init(regularization: Regularization, learningRate: Double, stepSizes: [Double] = [],
                initialParameters: [Double], random: RandomSource = RandomSource(seed: 0)) {
        self.regularization = regularization
        self.learningRate = learningRate
        self.stepSizes = stepSizes
        self.initialParameters = initialParameters
        self.random = random
    }
}

/// The sizes the passes loop over. Every loop bound derives from them, so when they are constants (`study`, the
/// study's network) the compiler unrolls the loops; the operations and their order are the same either way.
@frozen public struct LoopSizes: Equatable {
    public var lag: Int
    public var units: Int
    public var batchSize: Int
    public var timesteps: Int

    @inlinable @inline(__always)
    public init(lag: Int, units: Int, batchSize: Int, timesteps: Int = 1) {
        self.lag = lag
        self.units = units
        self.batchSize = batchSize
        self.timesteps = timesteps
    }

    /// The study's network: lag 1, 3 units, batch 4, one timestep (SPEC §2).
    @inlinable public static var study: LoopSizes { LoopSizes(lag: 1, units: 3, batchSize: 4, timesteps: 1) }

    @inlinable var layout: ParameterLayout { ParameterLayout(NetworkShape(lag: lag, units: units)) }
}

/// A buffer of `count` zeroed values, for the network's parameters, moments, states and caches; aligned to 64 bytes,
/// so that a run alone's values may be read four at a time as `SIMD4<Double>` (`LSTMNetwork.adamStep`).
@usableFromInline func zeroedBuffer<V: LaneReal>(_ count: Int) -> UnsafeMutablePointer<V> {
    let raw = UnsafeMutableRawPointer.allocate(byteCount: max(1, count) * MemoryLayout<V>.stride,
                                               alignment: max(64, MemoryLayout<V>.alignment))
    let pointer = raw.bindMemory(to: V.self, capacity: count)
    pointer.initialize(repeating: V(broadcast: 0), count: count)
    return pointer
}

/// Sizes known when compiling: a function generic over them is specialized once per type, with its loops' bounds
/// constants.
public protocol ConstantSizes { static var sizes: LoopSizes { get } }

/// The family's networks whose passes are compiled for their sizes (besides the study's): every network its presets
/// train, the lag as features or as timesteps, 1 to 5 units, batch 1, 2, 4 and 12.
public enum FamilySizes {
    public enum Lag1Units1Batch1: ConstantSizes { @inlinable public static var sizes: LoopSizes { LoopSizes(lag: 1, units: 1, batchSize: 1) } }
    public enum Lag1Units1Batch4: ConstantSizes { @inlinable public static var sizes: LoopSizes { LoopSizes(lag: 1, units: 1, batchSize: 4) } }
    public enum Lag1Units4Batch1: ConstantSizes { @inlinable public static var sizes: LoopSizes { LoopSizes(lag: 1, units: 4, batchSize: 1) } }
    public enum Lag1Units4Batch4: ConstantSizes { @inlinable public static var sizes: LoopSizes { LoopSizes(lag: 1, units: 4, batchSize: 4) } }
    public enum Lag1Units2Batch4: ConstantSizes { @inlinable public static var sizes: LoopSizes { LoopSizes(lag: 1, units: 2, batchSize: 4) } }
    public enum Lag1Units5Batch4: ConstantSizes { @inlinable public static var sizes: LoopSizes { LoopSizes(lag: 1, units: 5, batchSize: 4) } }
    public enum Lag2Units2Batch1: ConstantSizes { @inlinable public static var sizes: LoopSizes { LoopSizes(lag: 2, units: 2, batchSize: 1) } }
    public enum Lag3Units3Batch1: ConstantSizes { @inlinable public static var sizes: LoopSizes { LoopSizes(lag: 3, units: 3, batchSize: 1) } }
    public enum Lag4Units4Batch1: ConstantSizes { @inlinable public static var sizes: LoopSizes { LoopSizes(lag: 4, units: 4, batchSize: 1) } }
    public enum Lag5Units5Batch1: ConstantSizes { @inlinable public static var sizes: LoopSizes { LoopSizes(lag: 5, units: 5, batchSize: 1) } }
    public enum Lag1Units1Batch2: ConstantSizes { @inlinable public static var sizes: LoopSizes { LoopSizes(lag: 1, units: 1, batchSize: 2) } }
    public enum Lag1Units1Batch12: ConstantSizes { @inlinable public static var sizes: LoopSizes { LoopSizes(lag: 1, units: 1, batchSize: 12) } }
    public enum Lag2Units1Batch1: ConstantSizes { @inlinable public static var sizes: LoopSizes { LoopSizes(lag: 2, units: 1, batchSize: 1) } }
    public enum Lag3Units1Batch1: ConstantSizes { @inlinable public static var sizes: LoopSizes { LoopSizes(lag: 3, units: 1, batchSize: 1) } }
    public enum Lag4Units1Batch1: ConstantSizes { @inlinable public static var sizes: LoopSizes { LoopSizes(lag: 4, units: 1, batchSize: 1) } }
    public enum Lag5Units1Batch1: ConstantSizes { @inlinable public static var sizes: LoopSizes { LoopSizes(lag: 5, units: 1, batchSize: 1) } }
    public enum Steps2Units1: ConstantSizes { @inlinable public static var sizes: LoopSizes { LoopSizes(lag: 1, units: 1, batchSize: 1, timesteps: 2) } }
    public enum Steps3Units1: ConstantSizes { @inlinable public static var sizes: LoopSizes { LoopSizes(lag: 1, units: 1, batchSize: 1, timesteps: 3) } }
    public enum Steps4Units1: ConstantSizes { @inlinable public static var sizes: LoopSizes { LoopSizes(lag: 1, units: 1, batchSize: 1, timesteps: 4) } }
    public enum Steps5Units1: ConstantSizes { @inlinable public static var sizes: LoopSizes { LoopSizes(lag: 1, units: 1, batchSize: 1, timesteps: 5) } }
    public enum Steps2Units2: ConstantSizes { @inlinable public static var sizes: LoopSizes { LoopSizes(lag: 1, units: 2, batchSize: 1, timesteps: 2) } }
    public enum Steps3Units3: ConstantSizes { @inlinable public static var sizes: LoopSizes { LoopSizes(lag: 1, units: 3, batchSize: 1, timesteps: 3) } }
    public enum Steps4Units4: ConstantSizes { @inlinable public static var sizes: LoopSizes { LoopSizes(lag: 1, units: 4, batchSize: 1, timesteps: 4) } }
    public enum Steps5Units5: ConstantSizes { @inlinable public static var sizes: LoopSizes { LoopSizes(lag: 1, units: 5, batchSize: 1, timesteps: 5) } }

    /// What `visitor` does with the type whose sizes are `sizes`, or nil when none is.
    @inlinable @inline(__always)
    public static func dispatch<Visitor: ConstantSizesVisitor>(_ sizes: LoopSizes, _ visitor: Visitor) -> Visitor.Result? {
        switch sizes {
        case Lag1Units1Batch1.sizes: visitor.visit(Lag1Units1Batch1.self)
        case Lag1Units1Batch4.sizes: visitor.visit(Lag1Units1Batch4.self)
        case Lag1Units4Batch1.sizes: visitor.visit(Lag1Units4Batch1.self)
        case Lag1Units4Batch4.sizes: visitor.visit(Lag1Units4Batch4.self)
        case Lag1Units2Batch4.sizes: visitor.visit(Lag1Units2Batch4.self)
        case Lag1Units5Batch4.sizes: visitor.visit(Lag1Units5Batch4.self)
        case Lag2Units2Batch1.sizes: visitor.visit(Lag2Units2Batch1.self)
        case Lag3Units3Batch1.sizes: visitor.visit(Lag3Units3Batch1.self)
        case Lag4Units4Batch1.sizes: visitor.visit(Lag4Units4Batch1.self)
        case Lag5Units5Batch1.sizes: visitor.visit(Lag5Units5Batch1.self)
        case Lag1Units1Batch2.sizes: visitor.visit(Lag1Units1Batch2.self)
        case Lag1Units1Batch12.sizes: visitor.visit(Lag1Units1Batch12.self)
        case Lag2Units1Batch1.sizes: visitor.visit(Lag2Units1Batch1.self)
        case Lag3Units1Batch1.sizes: visitor.visit(Lag3Units1Batch1.self)
        case Lag4Units1Batch1.sizes: visitor.visit(Lag4Units1Batch1.self)
        case Lag5Units1Batch1.sizes: visitor.visit(Lag5Units1Batch1.self)
        case Steps2Units1.sizes: visitor.visit(Steps2Units1.self)
        case Steps3Units1.sizes: visitor.visit(Steps3Units1.self)
        case Steps4Units1.sizes: visitor.visit(Steps4Units1.self)
        case Steps5Units1.sizes: visitor.visit(Steps5Units1.self)
        case Steps2Units2.sizes: visitor.visit(Steps2Units2.self)
        case Steps3Units3.sizes: visitor.visit(Steps3Units3.self)
        case Steps4Units4.sizes: visitor.visit(Steps4Units4.self)
        case Steps5Units5.sizes: visitor.visit(Steps5Units5.self)
        default: nil
        }
    }
}

/// Work done with sizes known when compiling (`FamilySizes.dispatch`).
public protocol ConstantSizesVisitor {
    associatedtype Result
    func visit<S: ConstantSizes>(_ sizes: S.Type) -> Result
}

/// One unmasked training epoch of a network.
@usableFromInline struct EpochTraining<V: LaneReal>: ConstantSizesVisitor {
    @usableFromInline let network: LSTMNetwork<V>
    @usableFromInline let rowCount: Int

    @inlinable init(network: LSTMNetwork<V>, rowCount: Int) {
        self.network = network
        self.rowCount = rowCount
    }

    @inlinable func visit<S: ConstantSizes>(_ sizes: S.Type) -> V { network.trainEpoch(rowCount: rowCount, sizes: sizes) }
}

/// One prediction of a network's loaded rows.
@usableFromInline struct RowPrediction<V: LaneReal>: ConstantSizesVisitor {
    @usableFromInline let network: LSTMNetwork<V>
    @usableFromInline let rowCount: Int
    @usableFromInline let rowsPerCall: Int
    @usableFromInline let predictions: UnsafeMutablePointer<V>

    @inlinable init(network: LSTMNetwork<V>, rowCount: Int, rowsPerCall: Int, predictions: UnsafeMutablePointer<V>) {
        self.network = network
        self.rowCount = rowCount
        self.rowsPerCall = rowsPerCall
        self.predictions = predictions
    }

    @inlinable func visit<S: ConstantSizes>(_ sizes: S.Type) {
        network.predict(rowCount: rowCount, rowsPerCall: rowsPerCall, into: predictions, sizes: sizes)
    }
}
