/// A network of `laneCount` runs as the trainer drives it, whatever its lane type and the CPU it was compiled for:
/// plain doubles in and out. Made by `init(_:)` inside the module that compiled the network for its CPU
/// (`LanesAVX2`, `LanesAVX512`, or this one for `Double`), so that its closures hold that module's code.
public struct LaneEngine {
    /// Runs side by side.
    public let laneCount: Int
    private let trainEpochLanes: (UnsafePointer<Double>, UnsafePointer<Double>, Int, UnsafeMutablePointer<Double>) -> Void
    private let predictLanes: (UnsafePointer<Double>, Int, Int, UnsafeMutablePointer<Double>) -> Void
    private let reset: () -> Void
    private let parameters: (Int) -> [Double]
    private let moments: (Int) -> AdamState

    @inlinable
    public init<V: LaneReal>(_ network: LSTMNetwork<V>) {
        self.init(
            laneCount: V.laneCount,
            trainEpoch: { inputs, targets, rowCount, losses in
                let epochLoss = network.trainEpoch(inputs: inputs, targets: targets, rowCount: rowCount)
                UnsafeMutableRawPointer(losses).storeBytes(of: epochLoss, as: V.self)
            },
            predict: { inputs, rowCount, rowsPerCall, predictions in
                withUnsafeTemporaryAllocation(of: V.self, capacity: rowCount) { buffer in
                    let rows = buffer.baseAddress!
                    network.predict(inputs: inputs, rowCount: rowCount, into: rows, rowsPerCall: rowsPerCall)
                    // A vector's lanes are consecutive doubles: row r's vector is stored whole at predictions[r × lanes].
                    let destination = UnsafeMutableRawPointer(predictions)
                    for row in 0..<rowCount {
                        destination.storeBytes(of: rows[row], toByteOffset: row * MemoryLayout<V>.size, as: V.self)
                    }
                }
            },
            resetState: { network.resetState() },
            parameterValues: { network.parameterValues(lane: $0) },
            adamState: { network.adamState(lane: $0) })
    }

    @usableFromInline
    init(laneCount: Int,
         trainEpoch: @escaping (UnsafePointer<Double>, UnsafePointer<Double>, Int, UnsafeMutablePointer<Double>) -> Void,
         predict: @escaping (UnsafePointer<Double>, Int, Int, UnsafeMutablePointer<Double>) -> Void,
         resetState: @escaping () -> Void, parameterValues: @escaping (Int) -> [Double],
         adamState: @escaping (Int) -> AdamState) {
        self.laneCount = laneCount
        trainEpochLanes = trainEpoch
        predictLanes = predict
        reset = resetState
        parameters = parameterValues
        moments = adamState
    }

    /// One epoch over `rowCount` rows (`[rowCount × T × lag]` inputs, `[rowCount]` targets, shared by every lane), then a
    /// state reset; lane l's epoch loss goes to `losses[l]`.
    public func trainEpoch(inputs: UnsafePointer<Double>, targets: UnsafePointer<Double>, rowCount: Int,
                           losses: UnsafeMutablePointer<Double>) {
        trainEpochLanes(inputs, targets, rowCount, losses)
    }

    /// Predicts `rowCount` rows from the carried state in calls of `rowsPerCall` rows (`LSTMNetwork.predict`); row r
    /// of lane l goes to `predictions[r × laneCount + l]`.
    public func predict(inputs: UnsafePointer<Double>, rowCount: Int, rowsPerCall: Int,
                        into predictions: UnsafeMutablePointer<Double>) {
        predictLanes(inputs, rowCount, rowsPerCall, predictions)
    }

    /// Zeroes the carried (h, c) of every lane.
    public func resetState() { reset() }

    /// Lane `lane`'s parameters in `ParameterLayout` order.
    public func parameterValues(lane: Int) -> [Double] { parameters(lane) }

    /// Lane `lane`'s Adam moments and step.
    public func adamState(lane: Int) -> AdamState { moments(lane) }
}

extension LaneEngine {
    /// The network of one run per lane of `V`, behind the engine's plain-double face.
    /// - Parameters:
    ///   - settings: shared by every lane (see `LSTMNetwork.init(settings:lanes:)`).
    ///   - lanes: `V.laneCount` runs.
    @inlinable
    public init<V: LaneReal>(_ lanes: V.Type, settings: NetworkSettings, runs: [LaneRun]) {
        self.init(LSTMNetwork<V>(settings: settings, lanes: runs))
    }
}
