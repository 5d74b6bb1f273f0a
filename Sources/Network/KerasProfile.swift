/// The Keras behaviours that differ between the study's era and today's Keras.
public struct KerasProfile: Sendable, Equatable, Hashable, Codable {
    public var name: String
    public var recurrentActivation: RecurrentActivation
    public var adamEpsilon: Double
    /// Keras 3 (and tf.keras 2.x) divide the activity penalty by the batch size; Keras 2.0–2.2 add it whole.
    public var activityPenaltyDividedByBatch: Bool

    public init(name: String, recurrentActivation: RecurrentActivation, adamEpsilon: Double,
                activityPenaltyDividedByBatch: Bool) {
        self.name = name
        self.recurrentActivation = recurrentActivation
        self.adamEpsilon = adamEpsilon
        self.activityPenaltyDividedByBatch = activityPenaltyDividedByBatch
    }

    /// Keras 2.0.x, the study's era: hard sigmoid `clip(0.2x + 0.5, 0, 1)`, Adam ε = 1e-8, activity penalty
    /// not divided by the batch size.
    public static let keras2 = KerasProfile(
        name: "keras2", recurrentActivation: .hardSigmoid, adamEpsilon: 1e-8, activityPenaltyDividedByBatch: false)

    /// Keras 3: logistic sigmoid, Adam ε = 1e-7, activity penalty divided by the batch size.
    public static let keras3 = KerasProfile(
        name: "keras3", recurrentActivation: .sigmoid, adamEpsilon: 1e-7, activityPenaltyDividedByBatch: true)

    public static let all: [KerasProfile] = [.keras2, .keras3]

    public static func named(_ name: String) -> KerasProfile? {
        all.first { $0.name == name }
    }
}
