import NeuralNetwork

/// The engine compiled for x86-64-v4 (AVX-512): its code, specialised here for `Lanes`, runs only on a CPU that has
/// those instructions (`LaneKernel.avx512`).
public enum LanesAVX512 {
    /// Gives this module's specialisations of the engine names of their own (see `TaggedLanes`).
    public enum Tag {}
    /// Eight runs per 512-bit register.
    public typealias Lanes = TaggedLanes<Tag, SIMD8<Double>>

    /// The network of `Lanes.laneCount` runs (see `LaneEngine`).
    public static func engine(_ setup: LanesSetup) -> LaneEngine { LaneEngine(Lanes.self, setup) }
}
