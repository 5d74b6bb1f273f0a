/// The Keras behaviours that differ between the study's era and today's Keras. Parsed once, at the edge (a
/// command-line option, a stored JSON string); everything inside uses the enum.
public enum KerasProfile: String, Sendable, Hashable, Codable, CaseIterable {
    /// Keras 2.0.x, the study's era: hard sigmoid `clip(0.2x + 0.5, 0, 1)`, Adam ε = 1e-8, activity penalty
    /// not divided by the batch size.
    case keras2
    /// Keras 3: logistic sigmoid, Adam ε = 1e-7, activity penalty divided by the batch size.
    case keras3

    /// The profile's name as users type it: `keras2`, `keras3`.
    public var name: String { rawValue }

    public var recurrentActivation: RecurrentActivation {
        switch self {
        case .keras2: .hardSigmoid
        case .keras3: .sigmoid
        }
    }

    public var adamEpsilon: Double {
        switch self {
        case .keras2: 1e-8
        case .keras3: 1e-7
        }
    }

    /// How a training batch draws its dropout masks: Keras 2.0's LSTM (implementation 0) draws four input and four
    /// recurrent masks, one per gate; Keras 3's draws one input mask while recurrent dropout is 0 (implementation 2)
    /// and four of each once it is set (it then forces implementation 1).
    public func maskDraw(recurrentDropout: Double) -> DropoutSettings.MaskDraw {
        self == .keras3 && recurrentDropout == 0 ? .oneInputMask : .perGate
    }

    /// Keras 3 (and tf.keras 2.x) divide the activity penalty by the batch size; Keras 2.0–2.2 add it whole.
    public var activityPenaltyDividedByBatch: Bool { self == .keras3 }
}
