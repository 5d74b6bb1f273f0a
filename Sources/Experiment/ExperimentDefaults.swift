import NeuralNetwork

/// The study's settings (SPEC §2–§4): every default of an experiment, in one place. The command line, the
/// experiment specs and the command that recreates a run all read them from here.
public enum ExperimentDefaults {
    public static let profile = KerasProfile.keras2
    public static let repeats = 30
    public static let epochs = 1000
    public static let seed: UInt64 = 2017
    public static let units = 3
    public static let batchSize = 4
    public static let lag = 1
    public static let testSize = 12
    public static let learningRate = 0.001
    /// A weight snapshot is kept in each checkpoint every this many epochs.
    public static let checkpointEvery = 100
}
