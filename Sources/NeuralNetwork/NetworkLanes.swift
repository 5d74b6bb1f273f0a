/// Several runs of one network trained side by side, one per SIMD lane (see `LanedLSTM`): the entry point the
/// trainer uses, with each lane's values read and written as plain doubles.
public final class NetworkLanes {
    /// The lane counts available: 8 (two AVX2 registers per value) and 4 (one).
    public static let widths = [8, 4]

    private let engine: Engine

    /// The engine of each width, as concrete types so that every call is specialised (no generic dispatch).
    private enum Engine {
        case four(LanedLSTM<SIMD4<Double>>)
        case eight(LanedLSTM<SIMD8<Double>>)
    }

    /// - Parameters:
    ///   - width: 4 or 8 lanes.
    ///   - settings: shared by every lane; its `regularization` is ignored (each lane has its own).
    ///   - regularizations: one per lane.
    ///   - initialParameters: one `ParameterLayout`-ordered vector per lane.
    public init(width: Int, settings: NetworkSettings, regularizations: [Regularization],
                initialParameters: [[Double]], stepSizes: [Double]) {
        switch width {
        case 8:
            engine = .eight(LanedLSTM(settings: settings, regularizations: regularizations,
                                      initialParameters: initialParameters, stepSizes: stepSizes))
        case 4:
            engine = .four(LanedLSTM(settings: settings, regularizations: regularizations,
                                     initialParameters: initialParameters, stepSizes: stepSizes))
        default:
            preconditionFailure("lane width \(width) is not one of \(NetworkLanes.widths)")
        }
    }

    public var laneCount: Int {
        switch engine {
        case .four: 4
        case .eight: 8
        }
    }

    /// One epoch over `rowCount` rows; writes each lane's epoch loss to `losses[lane]`.
    public func trainEpoch(inputs: UnsafePointer<Double>, targets: UnsafePointer<Double>, rowCount: Int,
                           losses: UnsafeMutablePointer<Double>) {
        switch engine {
        case .four(let lanes): Self.trainEpoch(lanes, inputs, targets, rowCount, losses)
        case .eight(let lanes): Self.trainEpoch(lanes, inputs, targets, rowCount, losses)
        }
    }

    /// Predicts `rowCount` rows from the carried state (no derivative caches); row r of lane l goes to
    /// `predictions[r × laneCount + l]`.
    public func predict(inputs: UnsafePointer<Double>, rowCount: Int, into predictions: UnsafeMutablePointer<Double>) {
        switch engine {
        case .four(let lanes): Self.predict(lanes, inputs, rowCount, predictions)
        case .eight(let lanes): Self.predict(lanes, inputs, rowCount, predictions)
        }
    }

    /// Zeroes the carried (h, c) of every lane.
    public func resetState() {
        switch engine {
        case .four(let lanes): lanes.resetState()
        case .eight(let lanes): lanes.resetState()
        }
    }

    public func parameterValues(lane: Int) -> [Double] {
        switch engine {
        case .four(let lanes): lanes.parameterValues(lane: lane)
        case .eight(let lanes): lanes.parameterValues(lane: lane)
        }
    }

    public func adamState(lane: Int) -> AdamState {
        switch engine {
        case .four(let lanes): lanes.adamState(lane: lane)
        case .eight(let lanes): lanes.adamState(lane: lane)
        }
    }

    @inline(__always)
    private static func trainEpoch<V: LaneReal>(_ lanes: LanedLSTM<V>, _ inputs: UnsafePointer<Double>,
                                                _ targets: UnsafePointer<Double>, _ rowCount: Int,
                                                _ losses: UnsafeMutablePointer<Double>) {
        let epochLoss = lanes.trainEpoch(inputs: inputs, targets: targets, rowCount: rowCount)
        UnsafeMutableRawPointer(losses).storeBytes(of: epochLoss, as: V.self)
    }

    @inline(__always)
    private static func predict<V: LaneReal>(_ lanes: LanedLSTM<V>, _ inputs: UnsafePointer<Double>, _ rowCount: Int,
                                             _ predictions: UnsafeMutablePointer<Double>) {
        withUnsafeTemporaryAllocation(of: V.self, capacity: rowCount) { buffer in
            let rows = buffer.baseAddress!
            lanes.predict(inputs: inputs, rowCount: rowCount, into: rows)
            // A vector's lanes are consecutive doubles: row r's vector is stored whole at predictions[r × lanes].
            let destination = UnsafeMutableRawPointer(predictions)
            for row in 0..<rowCount {
                destination.storeBytes(of: rows[row], toByteOffset: row * MemoryLayout<V>.size, as: V.self)
            }
        }
    }
}

