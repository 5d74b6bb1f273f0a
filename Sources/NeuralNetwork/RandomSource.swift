/// The seeded random source of every run: xoshiro256** (Blackman & Vigna, 2018), its 256-bit state filled from
/// a 64-bit seed by SplitMix64. Same seed → same stream on every machine; no global state.
public struct RandomSource: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64) {
        var mixer = seed
        s0 = splitMix64Next(&mixer)
        s1 = splitMix64Next(&mixer)
        s2 = splitMix64Next(&mixer)
        s3 = splitMix64Next(&mixer)
    }

    /// xoshiro256**: `result = rotl(s1·5, 7)·9`, then the xorshift/rotate state update.
    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, 45)
        return result
    }

    /// A uniform double in [0, 1): the top 53 bits of the next output times 2⁻⁵³.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform double in [low, high): `low + (high − low)·u`.
    public mutating func nextUniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * nextUnit()
    }

    /// A standard normal draw by the Box–Muller transform: `√(−2 ln u₁)·cos(2π u₂)` with u₁ ∈ (0, 1], with our own
    /// `ieeeLog` and `ieeeCosTwoPi` (the exact 2π), so the draw is the same on every platform.
    /// One pair of uniforms per draw (the sine half is discarded) keeps the stream simple to reproduce.
    public mutating func nextStandardNormal() -> Double {
        let u1 = Double((next() >> 11) + 1) * 0x1.0p-53
        let u2 = nextUnit()
        return (-2 * ieeeLog(u1)).squareRoot() * ieeeCosTwoPi(u2)
    }
}

@inline(__always) private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
    (x << k) | (x >> (64 - k))
}

/// SplitMix64 (Steele, Lea & Flood, 2014): advance by the golden gamma, then the variant-13 finaliser.
@inline(__always) func splitMix64Next(_ state: inout UInt64) -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    return splitMix64Finalize(state)
}

/// The SplitMix64 finaliser: a bijective avalanche mix of 64 bits.
@inline(__always) public func splitMix64Finalize(_ value: UInt64) -> UInt64 {
    var z = value
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// FNV-1a, 64-bit: a stable hash of a string's UTF-8 bytes (Swift's `hashValue` is randomised per process).
public func fnv1a64(_ text: String) -> UInt64 { fnv1a64(bytes: text.utf8) }

/// FNV-1a, 64-bit, of a byte sequence.
public func fnv1a64<Bytes: Sequence<UInt8>>(bytes: Bytes) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in bytes {
        hash ^= UInt64(byte)
        hash &*= 0x0000_0100_0000_01B3
    }
    return hash
}
