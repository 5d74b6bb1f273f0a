// Elementary functions in plain IEEE-754 binary64 arithmetic: every result depends only on this code and on
// correctly rounded +, −, ×, ÷ and √ (round to nearest, ties to even), never on the platform's libm, whose last
// bits differ between glibc and Apple's libm. Nothing here fuses a multiply and an add: Swift does not contract
// `a * b + c` unless asked, and no function calls `fma` or `addingProduct`.
//
// The functions of the training loop (exp, tanh, the sigmoids) are in `LaneFunctions.swift`, written once for
// every lane width. These are the scalar ones used outside it: log and cos/sin of 2πu for the normal draws of the
// initializers, and integer powers for Adam's bias correction.
//
// Sources of the methods and constants (all permissively licensed):
//   • log: Sun's fdlibm `__ieee754_log` (e_log.c, FreeBSD msun; "freely granted" licence).
//   • sin/cos kernels: fdlibm `__kernel_sin`, `__kernel_cos` (k_sin.c, k_cos.c).
//
// Error bounds quoted below are the largest errors measured against 200-bit mpmath references (ulp = the spacing
// of doubles at the exact result); the tests check them against the platform's libm on every run.

// MARK: - Logarithm

/// ln x, within 1 ulp (fdlibm `__ieee754_log`).
///
/// Method: `x = 2ᵏ·(1 + f)` with `√2/2 < 1 + f < √2` (subnormal x first scaled by 2⁵⁴); `s = f/(2 + f)`,
/// `ln(1 + f) = 2s + s·R(s²)` with the degree-14 Remez polynomial `R(z) = Lg1·z + … + Lg7·z⁷` (error 2⁻⁵⁸·⁴⁵),
/// assembled as `k·ln2_hi − ((hfsq − (s·(hfsq + R) + k·ln2_lo)) − f)`, hfsq = f²/2, with `ln2_hi` short enough that
/// k·ln2_hi is exact; |f| < 2⁻²⁰ uses `f − f²(½ − f/3)`.
///
/// Special values: ln(±0) = −∞, ln(x < 0) = NaN (−∞ included), ln(+∞) = +∞, ln(NaN) = NaN, ln(1) = +0.
///
/// Error: < 1 ulp by fdlibm's analysis; measured max 0.838 ulp over 1.3·10⁶ points spanning every binade
/// (subnormal inputs included) and dense near 1, √2/2 and √2; 96.5 % correctly rounded.
public func ieeeLog(_ x: Double) -> Double {
    let ln2Hi = 0x1.62e42fee00000p-1  // 3fe62e42 fee00000
    let ln2Lo = 0x1.a39ef35793c76p-33  // 3dea39ef 35793c76
    let lg1 = 0x1.5555555555593p-1, lg2 = 0x1.999999997fa04p-2, lg3 = 0x1.2492494229359p-2
    let lg4 = 0x1.c71c51d8e78afp-3, lg5 = 0x1.7466496cb03dep-3, lg6 = 0x1.39a09d078c69fp-3
    let lg7 = 0x1.2f112df3e5244p-3

    var x = x
    var hx = Int32(truncatingIfNeeded: x.bitPattern >> 32)  // sign, exponent and top 20 fraction bits
    var k: Int32 = 0
    if hx < 0x0010_0000 {  // x < 2⁻¹⁰²², negative, or −NaN
        if x.isNaN { return x }
        if x == 0 { return -.infinity }
        if hx < 0 { return .nan }
        k -= 54  // subnormal: scale up exactly
        x *= 0x1p54
        hx = Int32(truncatingIfNeeded: x.bitPattern >> 32)
    }
    if hx >= 0x7FF0_0000 { return x + x }  // +∞ or NaN
    k += (hx >> 20) - 1023
    hx &= 0x000F_FFFF
    let i = (hx &+ 0x95F64) & 0x10_0000  // 0x100000 when the significand ≥ √2: halve it
    let highWord = UInt64(UInt32(bitPattern: hx | (i ^ 0x3FF0_0000)))
    x = Double(bitPattern: highWord << 32 | (x.bitPattern & 0xFFFF_FFFF))  // 1 + f in [√2/2, √2)
    k += i >> 20
    let f = x - 1
    let dk = Double(k)
    if 0x000F_FFFF & (2 &+ hx) < 3 {  // −2⁻²⁰ ≤ f < 2⁻²⁰
        if f == 0 { return k == 0 ? 0 : dk * ln2Hi + dk * ln2Lo }
        let r = f * f * (0.5 - 0.33333333333333333 * f)
        if k == 0 { return f - r }
        return dk * ln2Hi - ((r - dk * ln2Lo) - f)
    }
    let s = f / (2 + f)
    let z = s * s
    let w = z * z
    let t1 = w * (lg2 + w * (lg4 + w * lg6))
    let t2 = z * (lg1 + w * (lg3 + w * (lg5 + w * lg7)))
    let r = t2 + t1
    if (hx &- 0x6147A) | (0x6B851 &- hx) > 0 {  // significand in [1.38, 1.42]: |f| near its largest
        let hfsq = 0.5 * f * f
        if k == 0 { return f - (hfsq - s * (hfsq + r)) }
        return dk * ln2Hi - ((hfsq - (s * (hfsq + r) + dk * ln2Lo)) - f)
    }
    if k == 0 { return f - s * (f - r) }
    return dk * ln2Hi - ((s * (f - r) - dk * ln2Lo) - f)
}

// MARK: - cos(2πu) and sin(2πu)

/// cos(2πu) with the exact 2π, within 1 ulp for every finite u (not `cos(2 * .pi * u)`, which rounds 2πu first).
///
/// Method: the reduction is exact: `4u = q + 4r` with q the nearest integer and |r| ≤ 1/8 (for |u| ≥ 2⁵², u is an
/// integer and the result is 1); `θ = 2π·r` as a double-double (2π in two parts, Dekker's product with Veltkamp's
/// split, no FMA), |θ| ≤ π/4; then `cos(2πu) = cos(θ + qπ/2)` is ±cos θ or ±sin θ by the quadrant q mod 4, from
/// fdlibm's `__kernel_cos` / `__kernel_sin` on (θ_hi, θ_lo).
///
/// Domain: every double; the Box–Muller transform uses u ∈ [0, 1). Special values: cos(2π·0) = 1,
/// cos(2π·(n + ½)) = −1, cos(2π·(n/2 + ¼)) = +0, cos(2π·±∞) = cos(2π·NaN) = NaN.
///
/// Error: measured max 0.776 ulp over 1.1·10⁶ points of [0, 1) (dense near the quadrant boundaries and 0),
/// from fdlibm's kernels near |θ| = π/4; the double-double θ is good to ~2⁻¹⁰⁴ relative.
public func ieeeCosTwoPi(_ u: Double) -> Double {
    guard let (quadrant, hi, lo) = ieeeReduceTwoPi(u) else { return u.isFinite ? 1 : u - u }
    switch quadrant {
    case 0: return ieeeKernelCos(hi, lo)
    case 1: return 0 - ieeeKernelSin(hi, lo)  // 0 − x turns −0 (at u = ¼) into +0
    case 2: return -ieeeKernelCos(hi, lo)
    default: return 0 + ieeeKernelSin(hi, lo)
    }
}

/// sin(2πu) with the exact 2π, within 1 ulp for every finite u; the method of `ieeeCosTwoPi` with the quadrant
/// shifted by one.
///
/// Special values: sin(2π·±0) = ±0, sin(2π·n/2) = +0 for n/2 > 0 and −0 for n/2 < 0 (IEEE 754 `sinPi`),
/// sin(2π·±∞) = sin(2π·NaN) = NaN.
///
/// Error: measured max 0.772 ulp over 1.1·10⁶ points of [0, 1).
public func ieeeSinTwoPi(_ u: Double) -> Double {
    guard let (quadrant, hi, lo) = ieeeReduceTwoPi(u) else {
        return u.isFinite ? (u.sign == .minus ? -0.0 : 0.0) : u - u
    }
    if hi == 0 && quadrant & 1 == 0 { return u.sign == .minus ? -0.0 : 0.0 }  // u = n/2 exactly
    switch quadrant {
    case 0: return ieeeKernelSin(hi, lo)
    case 1: return ieeeKernelCos(hi, lo)
    case 2: return -ieeeKernelSin(hi, lo)
    default: return -ieeeKernelCos(hi, lo)
    }
}

/// u = q/4 + r exactly, with q the nearest integer to 4u (ties toward zero) and |r| ≤ 1/8; returns q mod 4 and
/// θ = 2π·r as a double-double (|θ_lo| ≤ ulp(θ_hi)/2), or nil when |u| ≥ 2⁵², ±∞ or NaN.
@usableFromInline func ieeeReduceTwoPi(_ u: Double) -> (quadrant: Int, hi: Double, lo: Double)? {
    guard abs(u) < 0x1p52 else { return nil }  // also false for NaN
    let t = 4 * u  // exact, |t| < 2⁵⁴
    var q = Int64(t)  // toward zero
    var f = t - Double(q)  // exact, |f| < 1
    if f > 0.5 { q += 1; f -= 1 } else if f < -0.5 { q -= 1; f += 1 }  // both exact (Sterbenz)
    let r = 0.25 * f  // exact, |r| ≤ 1/8
    let twoPiHi = 0x1.921fb54442d18p2  // 2π rounded
    let twoPiLo = 0x1.1a62633145c07p-52  // 2π − twoPiHi, rounded
    let quadrant = Int(q & 3)
    if abs(r) < 0x1p-500 {  // too small for the split; θ rounds as r·2π does (or θ = ±0)
        return (quadrant, r * twoPiHi, 0)
    }
    let (p, e) = ieeeTwoProduct(r, twoPiHi)
    let tail = e + r * twoPiLo
    let hi = p + tail
    return (quadrant, hi, tail - (hi - p))
}

/// fdlibm `__kernel_cos`: cos(x + y) for |x| ≤ ~π/4, |y| ≤ ulp(x)/2; polynomial error ≤ 2⁻⁵⁸.
@usableFromInline func ieeeKernelCos(_ x: Double, _ y: Double) -> Double {
    let c1 = 0x1.555555555554cp-5, c2 = -0x1.6c16c16c15177p-10, c3 = 0x1.a01a019cb1590p-16
    let c4 = -0x1.27e4f809c52adp-22, c5 = 0x1.1ee9ebdb4b1c4p-29, c6 = -0x1.8fae9be8838d4p-37
    let z = x * x
    var w = z * z
    let r = z * (c1 + z * (c2 + z * c3)) + w * w * (c4 + z * (c5 + z * c6))
    let hz = 0.5 * z
    w = 1 - hz
    return w + (((1 - w) - hz) + (z * r - x * y))
}

/// fdlibm `__kernel_sin` with a tail: sin(x + y) for |x| ≤ ~π/4, |y| ≤ ulp(x)/2; polynomial error ≤ 2⁻⁵⁸.
@usableFromInline func ieeeKernelSin(_ x: Double, _ y: Double) -> Double {
    let s1 = -0x1.5555555555549p-3, s2 = 0x1.111111110f8a6p-7, s3 = -0x1.a01a019c161d5p-13
    let s4 = 0x1.71de357b1fe7dp-19, s5 = -0x1.ae5e68a2b9cebp-26, s6 = 0x1.5d93a5acfd57cp-33
    let z = x * x
    let w = z * z
    let r = s2 + z * (s3 + z * s4) + z * w * (s5 + z * s6)
    let v = z * x
    return x - ((z * (0.5 * y - v * r) - y) - v * s1)
}

// MARK: - Integer powers

/// βⁿ for an integer n, correctly rounded in practice: exponentiation by squaring in double-double arithmetic
/// (≈ 100 significant bits, error ≤ ~2⁻¹⁰⁰ relative after 2·log₂|n| products) with a separate binary exponent,
/// so no intermediate overflows or underflows, then one rounding to double — to the subnormal grid directly when
/// the result is subnormal.
///
/// Products use Dekker's exact TwoProduct with Veltkamp's split (no FMA). n < 0 takes the double-double
/// reciprocal of β^|n|.
///
/// Special values: β⁰ = 1 for every β (NaN included); NaN^n = NaN; (±0)ⁿ = ±0 (sign for odd n) and (±0)⁻ⁿ = ±∞;
/// (±∞)ⁿ = ±∞ and (±∞)⁻ⁿ = ±0; results beyond the double range are ±∞ or ±0.
///
/// Error: ≤ 0.5 ulp measured — every result correctly rounded — for all n ≤ 10⁶ with β ∈ {0.999, 0.9999, 0.99,
/// 1 − 2⁻²⁰, 1.0001} and n ≤ 10⁵ with β ∈ {0.9, 0.5, 0.3} (5.3·10⁶ results against 200-bit references,
/// subnormal results included), and 10ⁿ equals the correctly rounded literal for n ∈ [−323, 308]. (glibc's
/// `pow` misrounds some of these, by up to 0.504 ulp.) Adam's bias corrections β₁ᵗ, β₂ᵗ are exactly these.
public func ieeePowInteger(_ base: Double, _ n: Int) -> Double {
    if n == 0 { return 1 }
    if base.isNaN { return base }
    let negative = base.sign == .minus && n & 1 == 1
    let magnitude = abs(base)
    if magnitude == 0 || magnitude.isInfinite {
        let value: Double = (magnitude == 0) == (n < 0) ? .infinity : 0
        return negative ? -value : value
    }
    // |β| = m·2ᵉ, m ∈ [1, 2) (exact also for subnormal β).
    var power = IEEEScaledDoubleDouble(hi: magnitude.significand, lo: 0, exponent: Int(magnitude.exponent))
    var result = IEEEScaledDoubleDouble(hi: 1, lo: 0, exponent: 0)
    var remaining = n.magnitude
    while true {
        if remaining & 1 == 1 { result = result.multiplied(by: power) }
        remaining >>= 1
        if remaining == 0 { break }
        power = power.multiplied(by: power)
    }
    if n < 0 { result = result.reciprocal() }
    let value = result.roundedToDouble()
    return negative ? -value : value
}

/// (hi + lo)·2^exponent with hi ∈ [1, 2) and hi = RN(hi + lo): a double-double significand that can neither
/// overflow nor underflow; the exponent saturates at ±2²⁰ (far beyond the double range, and every factor of a
/// power |β|ᵏ pushes the exponent the same way, so a saturated value stays out of range).
@usableFromInline struct IEEEScaledDoubleDouble {
    @usableFromInline var hi: Double
    @usableFromInline var lo: Double
    @usableFromInline var exponent: Int

    @usableFromInline init(hi: Double, lo: Double, exponent: Int) {
        self.hi = hi
        self.lo = lo
        self.exponent = exponent
    }

    /// The product, to a relative error below 2⁻¹⁰⁴ (the lo·lo term and two roundings of the cross terms).
    @usableFromInline func multiplied(by other: Self) -> Self {
        let (p, e) = ieeeTwoProduct(hi, other.hi)
        let tail = e + (hi * other.lo + lo * other.hi)
        let sum = p + tail  // p ∈ [1, 4), |tail| ≲ 2⁻⁵⁰: Fast2Sum applies
        var value = Self(hi: sum, lo: tail - (sum - p), exponent: exponent + other.exponent)
        value.normalize()
        return value
    }

    /// 1/(hi + lo)·2^−exponent: q = 1/hi corrected by the exact residual 1 − (hi + lo)·q, relative error ≈ 2⁻¹⁰⁴.
    @usableFromInline func reciprocal() -> Self {
        let q = 1 / hi
        let (p, e) = ieeeTwoProduct(hi, q)
        let residual = ((1 - p) - e) - lo * q  // 1 − p is exact (p within an ulp of 1)
        let correction = residual * q
        let sum = q + correction
        var value = Self(hi: sum, lo: correction - (sum - q), exponent: -exponent)
        value.normalize()
        return value
    }

    /// Brings hi back into [1, 2) by exact scalings by ½ or 2 (one, rarely two: hi arrives in (½, 4]), and
    /// saturates the exponent.
    @usableFromInline mutating func normalize() {
        while hi >= 2 {
            hi *= 0.5
            lo *= 0.5
            exponent += 1
        }
        while hi < 1 {
            hi *= 2
            lo *= 2
            exponent -= 1
        }
        exponent = min(max(exponent, -(1 << 20)), 1 << 20)
    }

    /// RN((hi + lo)·2^exponent): exact scaling of hi when the result is normal (hi is already RN(hi + lo)); for a
    /// subnormal result, hi + lo is rounded once, directly to the grid of 2⁻¹⁰⁷⁴ (ties to even).
    @usableFromInline func roundedToDouble() -> Double {
        if exponent > 1023 { return .infinity }
        if exponent >= -1022 { return hi * Double(bitPattern: UInt64(exponent + 1023) << 52) }
        let shift = 1074 + exponent  // the result is N·2⁻¹⁰⁷⁴, N = RN((hi + lo)·2^shift) ≤ 2⁵²
        if shift < -1 { return 0 }  // (hi + lo)·2^shift < ½
        let scale = Double(bitPattern: UInt64(shift + 1023) << 52)
        let v = hi * scale  // exact, v < 2⁵²
        let w = lo * scale  // exact (|lo| ≥ 2⁻¹⁰⁰⁰ whenever it matters)
        let rounded = (v + 0x1p52) - 0x1p52  // RN(v) to an integer, ties to even
        let remainder = v - rounded  // exact, |remainder| ≤ ½
        var count = Int64(rounded)
        // v + w against the midpoints count ± ½ (½ ∓ remainder are exact multiples of v's ulp); ties to even.
        if w > 0.5 - remainder || (w == 0.5 - remainder && count & 1 == 1) {
            count += 1
        } else if w < -0.5 - remainder || (w == -0.5 - remainder && count & 1 == 1) {
            count -= 1
        }
        return Double(count) * 0x1p-1074
    }
}

/// Dekker's TwoProduct: p = RN(a·b) and e = a·b − p exactly, by Veltkamp's split into 26-bit halves (no FMA).
/// Requires |a|, |b| < 2⁹⁹⁵ and the product's error above the subnormal range.
@usableFromInline func ieeeTwoProduct(_ a: Double, _ b: Double) -> (product: Double, error: Double) {
    let splitter = 0x1p27 + 1
    let ca = splitter * a
    let aHi = ca - (ca - a)
    let aLo = a - aHi
    let cb = splitter * b
    let bHi = cb - (cb - b)
    let bLo = b - bHi
    let p = a * b
    let e = ((aHi * bHi - p) + aHi * bLo + aLo * bHi) + aLo * bLo
    return (p, e)
}
