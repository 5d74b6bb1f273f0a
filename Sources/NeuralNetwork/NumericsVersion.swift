/// The version of the engine's numerics: which operations, in which order, with which elementary functions. The same
/// version computes the same bits on every machine; a run records the version that trained it, and `reproduce`
/// expects bit-identity only within one version.
///
/// - 1: lstmlab 0.1 — one run at a time, the C library's exp (in tanh and the sigmoid), log and cos (normal draws)
///   and pow (Adam's bias correction).
/// - 2: lstmlab 0.2 — our own exp/tanh/sigmoids (`LaneFunctions.swift`), log, cos(2πu) and integer powers
///   (`ElementaryFunctions.swift`); runs trained alone or side by side in SIMD lanes give the same bits.
public let numericsVersion = 2
