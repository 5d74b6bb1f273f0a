import NeuralNetwork

/// How run seeds are derived; recorded with every experiment, so an archive written under an older derivation is
/// never extended with runs seeded differently.
public enum RunSeedDerivation {
    /// 1: lstmlab 0.1, from the configuration's display label. 2: from its canonical encoding.
    public static let current = 2
}

/// A run's seed, derived from the experiment seed, the configuration's canonical encoding and the repeat index only,
/// so that a run's result never depends on `--jobs`, scheduling or how labels print:
/// `runSeed = mix(experimentSeed ⊕ mix(fnv1a64(canonicalEncoding) ⊕ mix(repeatIndex)))`, where `mix` is the
/// SplitMix64 finaliser and `fnv1a64` the 64-bit FNV-1a hash; the top bit is cleared so that every seed is a
/// non-negative 64-bit integer in SQLite and in pandas.
public func deriveRunSeed(experimentSeed: UInt64, configuration: ConfigurationSpec, repeatIndex: Int) -> UInt64 {
    let repeatMix = splitMix64Finalize(UInt64(repeatIndex))
    let configurationMix = splitMix64Finalize(fnv1a64(bytes: configuration.canonicalEncoding) ^ repeatMix)
    return splitMix64Finalize(experimentSeed ^ configurationMix) & 0x7FFF_FFFF_FFFF_FFFF
}
