/// The shape of the network: one LSTM layer of `units` cells over samples of `timesteps` steps of `lag` input
/// features each, then Dense(1). Lag as features: `lag` features, one timestep; lag as timesteps: 1 feature.
public struct NetworkShape: Sendable, Equatable, Hashable, Codable {
    /// Input features per timestep (the kernel's rows).
    public var lag: Int
    public var units: Int
    public var timesteps: Int

    @inlinable public init(lag: Int, units: Int, timesteps: Int = 1) {
        self.lag = lag
        self.units = units
        self.timesteps = timesteps
    }

    private enum CodingKeys: String, CodingKey { case lag, units, timesteps }

    /// Reads `timesteps` as 1 where it is missing (lstmlab 0.2).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(lag: try container.decode(Int.self, forKey: .lag), units: try container.decode(Int.self, forKey: .units),
                  timesteps: try container.decodeIfPresent(Int.self, forKey: .timesteps) ?? 1)
    }

    /// Writes `timesteps` only when it is not 1, so that a one-timestep shape encodes as lstmlab 0.2's did.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(lag, forKey: .lag)
        try container.encode(units, forKey: .units)
        if timesteps != 1 { try container.encode(timesteps, forKey: .timesteps) }
    }

    /// Width of the gate pre-activations, 4·units, in Keras's gate order i, f, c, o.
    @inlinable public var gateWidth: Int { 4 * units }
}

/// The five weight tensors, in Keras's order, as named slices of one flat buffer.
public enum WeightTensor: Int, CaseIterable, Sendable, Codable {
    /// LSTM `kernel` (lag, 4u).
    case kernel
    /// LSTM `recurrent_kernel` (u, 4u).
    case recurrentKernel
    /// LSTM `bias` (4u).
    case bias
    /// Dense `kernel` (u, 1).
    case denseKernel
    /// Dense `bias` (1).
    case denseBias

    /// The name Keras gives the weight inside its layer group of a legacy HDF5 file.
    public var kerasName: String {
        switch self {
        case .kernel: "lstm/lstm_cell/kernel"
        case .recurrentKernel: "lstm/lstm_cell/recurrent_kernel"
        case .bias: "lstm/lstm_cell/bias"
        case .denseKernel: "dense/kernel"
        case .denseBias: "dense/bias"
        }
    }

    /// The Keras layer the weight belongs to.
    public var kerasLayer: String {
        switch self {
        case .kernel, .recurrentKernel, .bias: "lstm"
        case .denseKernel, .denseBias: "dense"
        }
    }
}

/// Where each tensor lives in the flat parameter buffer, and its shape.
public struct ParameterLayout: Sendable, Equatable, Hashable {
    public let shape: NetworkShape
    public let kernel: Range<Int>
    public let recurrentKernel: Range<Int>
    public let bias: Range<Int>
    public let denseKernel: Range<Int>
    public let denseBias: Range<Int>

    @inlinable public init(_ shape: NetworkShape) {
        self.shape = shape
        let gates = shape.gateWidth
        var cursor = 0
        func next(_ count: Int) -> Range<Int> {
            defer { cursor += count }
            return cursor..<(cursor + count)
        }
        kernel = next(shape.lag * gates)
        recurrentKernel = next(shape.units * gates)
        bias = next(gates)
        denseKernel = next(shape.units)
        denseBias = next(1)
    }

    /// Total number of parameters: 4u(lag + u + 1) + u + 1.
    @inlinable public var count: Int { denseBias.upperBound }

    public func range(of tensor: WeightTensor) -> Range<Int> {
        switch tensor {
        case .kernel: kernel
        case .recurrentKernel: recurrentKernel
        case .bias: bias
        case .denseKernel: denseKernel
        case .denseBias: denseBias
        }
    }

    /// The tensor's shape as Keras stores it.
    public func dimensions(of tensor: WeightTensor) -> [Int] {
        switch tensor {
        case .kernel: [shape.lag, shape.gateWidth]
        case .recurrentKernel: [shape.units, shape.gateWidth]
        case .bias: [shape.gateWidth]
        case .denseKernel: [shape.units, 1]
        case .denseBias: [1]
        }
    }
}
