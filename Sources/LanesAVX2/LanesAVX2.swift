import NeuralNetwork

/// The engine compiled for x86-64-v3 (AVX2, 2013 on): its code, specialised here for `Lanes`, runs only on a CPU that has
/// those instructions (`LaneKernel.avx2`).
public enum LanesAVX2 {
    /// Gives this module's specialisations of the engine names of their own (see `TaggedLanes`).
    public enum Tag {}
    /// Four runs per 256-bit register.
    public typealias Lanes = TaggedLanes<Tag, SIMD4<Double>>

    /// One run alone, compiled for this CPU too.
    public typealias OneRun = TaggedLanes<Tag, Double>

    /// The network of `Lanes.laneCount` runs, or of one run alone (see `LaneEngine`).
    public static func engine(settings: NetworkSettings, runs: [LaneRun]) -> LaneEngine {
        runs.count == 1
            ? LaneEngine(OneRun.self, settings: settings, runs: runs)
            : LaneEngine(Lanes.self, settings: settings, runs: runs)
    }
}
