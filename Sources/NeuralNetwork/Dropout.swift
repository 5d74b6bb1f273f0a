/// Dropout on the LSTM, as Keras applies it while training (never when predicting): the inputs and the carried h are
/// multiplied by masks of 0 and 1/(1 − rate), drawn once per training batch and shared by the batch's timesteps,
/// one mask per gate (i, f, c, o) or one for all four (`MaskDraw`).
public struct DropoutSettings: Sendable, Equatable, Hashable, Codable {
    /// Keras's `dropout`: the rate of the input masks, in [0, 1).
    public var input: Double
    /// Keras's `recurrent_dropout`: the rate of the recurrent masks, in [0, 1).
    public var recurrent: Double
    public var draw: MaskDraw

    public init(input: Double = 0, recurrent: Double = 0, draw: MaskDraw = .perGate) {
        self.input = input
        self.recurrent = recurrent
        self.draw = draw
    }

    public static let none = DropoutSettings()

    /// Whether any mask applies.
    @inlinable public var isActive: Bool { input > 0 || recurrent > 0 }

    /// How many masks of each kind a batch draws.
    public enum MaskDraw: String, Sendable, Equatable, Hashable, Codable {
        /// Four input and four recurrent masks, one per gate (Keras 2.0's LSTM; Keras 3 once recurrent dropout is set).
        case perGate = "per-gate"
        /// One input mask for all four gates, the recurrent masks per gate (Keras 3 when recurrent dropout is 0).
        case oneInputMask = "one-input-mask"
    }

    /// The masks of one batch of `rows` rows, `[rows × 4 × lag]` input and `[rows × 4 × units]` recurrent (all ones
    /// where a rate is 0). Drawn in this order, each value kept when a uniform u ∈ [0, 1) is ≥ the rate: the input
    /// masks (mask by mask, row by row, feature by feature), then the recurrent ones; a kind whose rate is 0 draws
    /// nothing. With `oneInputMask`, one input mask is drawn and used for all four gates.
    public func drawMasks(rows: Int, lag: Int, units: Int, using random: inout RandomSource)
        -> (input: [Double], recurrent: [Double]) {
        func masks(_ rate: Double, width: Int, count: Int) -> [Double] {
            var values = [Double](repeating: 1, count: rows * 4 * width)
            guard rate > 0 else { return values }
            let kept = 1 / (1 - rate)
            for mask in 0..<count {
                for row in 0..<rows {
                    for k in 0..<width { values[(row * 4 + mask) * width + k] = random.nextUnit() >= rate ? kept : 0 }
                }
            }
            for mask in count..<4 {
                for row in 0..<rows {
                    for k in 0..<width { values[(row * 4 + mask) * width + k] = values[(row * 4) * width + k] }
                }
            }
            return values
        }
        return (masks(input, width: lag, count: draw == .perGate ? 4 : 1), masks(recurrent, width: units, count: 4))
    }
}

/// Dropout masks and row orders recorded elsewhere (a Keras dump), replayed instead of drawn: the same in every lane.
public struct RecordedRandomness: Sendable {
    /// `masks[epoch][batch]`: `[rows × 4 × lag]` input and `[rows × 4 × units]` recurrent values, or nil for all ones.
    public var masks: [[(input: [Double]?, recurrent: [Double]?)]]
    /// `rowOrders[epoch]`: the order the training rows were fed (empty: in order).
    public var rowOrders: [[Int]]

    public init(masks: [[(input: [Double]?, recurrent: [Double]?)]] = [], rowOrders: [[Int]] = []) {
        self.masks = masks
        self.rowOrders = rowOrders
    }

    /// The recorded masks of a batch (0-based epoch and batch), ones where none was recorded.
    public func masks(epoch: Int, batch: Int, rows: Int, lag: Int, units: Int) -> (input: [Double], recurrent: [Double]) {
        let recorded: (input: [Double]?, recurrent: [Double]?) = epoch < masks.count && batch < masks[epoch].count ? masks[epoch][batch] : (nil, nil)
        let input = recorded.input ?? [Double](repeating: 1, count: rows * 4 * lag)
        let recurrent = recorded.recurrent ?? [Double](repeating: 1, count: rows * 4 * units)
        precondition(input.count == rows * 4 * lag && recurrent.count == rows * 4 * units, "recorded mask sizes")
        return (input, recurrent)
    }

    /// The recorded row order of an epoch (0-based), or the rows in order.
    public func rowOrder(epoch: Int, rowCount: Int) -> [Int] {
        guard epoch < rowOrders.count, rowOrders[epoch].count == rowCount else { return Array(0..<rowCount) }
        return rowOrders[epoch]
    }
}
