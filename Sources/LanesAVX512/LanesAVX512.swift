import NeuralNetwork

/// The engine compiled for x86-64-v4 (AVX-512): its code, specialised here for `Lanes`, runs only on a CPU that has
/// those instructions (`LaneKernel.avx512`).
public enum LanesAVX512 {
    /// Gives this module's specialisations of the engine names of their own (see `TaggedLanes`).
    public enum Tag {}
    /// Eight runs per 512-bit register.
    public typealias Lanes = TaggedLanes<Tag, SIMD8<Double>>

    /// One run alone, compiled for this CPU too.
    public typealias OneRun = TaggedLanes<Tag, Double>

    /// The network of `Lanes.laneCount` runs, or of one run alone (see `LaneEngine`).
    public static func engine(settings: NetworkSettings, runs: [LaneRun]) -> LaneEngine {
        runs.count == 1
            ? LaneEngine(OneRun.self, settings: settings, runs: runs)
            : LaneEngine(Lanes.self, settings: settings, runs: runs)
    }
}
