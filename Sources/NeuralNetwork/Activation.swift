/// The LSTM's recurrent activation σ, used for the input, forget and output gates.
public enum RecurrentActivation: String, Sendable, Codable, CaseIterable, Hashable {
    /// Keras 2.0–2.2's hard sigmoid `clip(0.2x + 0.5, 0, 1)`; derivative 0.2 strictly inside (−2.5, 2.5), else 0.
    case hardSigmoid = "hard_sigmoid_0.2"
    /// The logistic sigmoid `1 / (1 + e⁻ˣ)` (Keras 2.3 on); derivative σ(1 − σ). Evaluated as the identical
    /// `½ + ½·tanh(x/2)` (`laneLogisticSigmoid`).
    case sigmoid
}
