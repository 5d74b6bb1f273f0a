// The activations of the hot loop, written once for every lane width (`LaneReal`): exp, tanh, the logistic and the
// hard sigmoid. Branch-free (each lane selects its branch), so a run computes the same bits alone or among others,
// and free of any C library call, so it computes the same bits on every operating system.

/// eˣ by Cody–Waite reduction and a degree-11 polynomial:
/// `k = round(x·log₂e)` (the 1.5·2⁵² rounding trick, ties to even), `r = (x − k·ln2_hi) − k·ln2_lo` with
/// |r| ≤ ln2/2 (ln2_hi has 32 trailing zero bits, so k·ln2_hi is exact), `eʳ = 1 + (r + r²·T(r))` with T of degree 9
/// interpolating (eʳ − 1 − r)/r² at Chebyshev nodes, then `eˣ = (2·eʳ)·2ᵏ⁻¹` with 2ᵏ⁻¹ built from its exponent bits.
///
/// Accuracy: ≤ 1 ulp over [−707.7, 709.78] (measured on a dense grid against the C library's `exp` in
/// `ElementaryFunctionTests`). Special values: NaN → NaN; x > 709.782712893384 → +∞ (so +∞ → +∞);
/// x < −707.7 → +0 (results below 2⁻¹⁰²¹ flush to zero; −∞ → +0). The training loop needs [1.25, 44].
@inlinable @inline(__always)
public func laneExp<V: LaneReal>(_ x: V) -> V {
    let low = V(broadcast: -707.7), high = V(broadcast: 709.782_712_893_384)
    let clamped = V.select(x.isLess(than: low), low, V.select(high.isLess(than: x), high, x))
    let value = laneExpInRange(clamped)
    let overflow = high.isLess(than: x)
    return V.select(overflow, V(broadcast: .infinity), V.select(x.isLess(than: low), V(broadcast: 0), value))
}

/// `laneExp` for x already in [−707.7, 709.782712893384] (or NaN), without the clamps: the same bits there.
@inlinable @inline(__always)
func laneExpInRange<V: LaneReal>(_ clamped: V) -> V {
    let rounding = V(broadcast: 6_755_399_441_055_744)  // 1.5·2⁵²
    let k = (clamped * V(broadcast: 1.442_695_040_888_963_387) + rounding) - rounding
    let r = (clamped - k * V(broadcast: 6.931_471_803_691_238_164_90e-01)) - k * V(broadcast: 1.908_214_929_270_587_700_02e-10)
    // The tail (eʳ − 1 − r)/r² as a degree-9 polynomial interpolating it at the Chebyshev nodes of [−ln2/2, ln2/2]
    // (coefficients computed with 60-digit arithmetic; the whole eʳ is then within 0.58·2⁻⁵² of the truth).
    var tail = V(broadcast: 2.5100375832561234e-08)
    tail = tail * r + V(broadcast: 2.7620075879983367e-07)
    tail = tail * r + V(broadcast: 2.7557268480310024e-06)
    tail = tail * r + V(broadcast: 2.4801521322368692e-05)
    tail = tail * r + V(broadcast: 0.00019841269863040545)
    tail = tail * r + V(broadcast: 0.0013888888917196719)
    tail = tail * r + V(broadcast: 0.008333333333330065)
    tail = tail * r + V(broadcast: 0.041666666666624164)
    tail = tail * r + V(broadcast: 0.16666666666666669)
    tail = tail * r + V(broadcast: 0.5000000000000001)
    let expR = V(broadcast: 1) + (r + (r * r) * tail)
    // 2ᵏ as 2·2ᵏ⁻¹, so that k = 1024 (just below the overflow threshold) needs no special case; ×2 is exact, so
    // there is one rounding.
    return (expR * V(broadcast: 2)) * V.powerOfTwo(integral: k - V(broadcast: 1))
}

/// tanh(x) by the Cephes method (S. Moshier, `tanh.c`), both branches as `A + B/C` so each lane takes one
/// division:
/// - |x| ≤ 0.625: `x + (x·s·P(s))/Q(s)` with s = x² and Cephes's degree-2/3 rational coefficients;
/// - 0.625 < |x| ≤ 22: `sign(x) − 2·sign(x)/(e^{2|x|} + 1)` (`laneExp`);
/// - |x| > 22: `sign(x)` (tanh rounds to ±1 there).
///
/// Accuracy: ≤ 2 ulp (measured against the C library's `tanh` in `LaneFunctionTests`). Odd; tanh(±0) = ±0,
/// tanh(±∞) = ±1, NaN → NaN.
@inlinable @inline(__always)
public func laneTanh<V: LaneReal>(_ x: V) -> V {
    let magnitude = x.magnitude
    let one = V(broadcast: 1), zero = V(broadcast: 0)
    let sign = V.select(x.isLess(than: zero), -one, one)
    let isLarge = V(broadcast: 0.625).isLess(than: magnitude)
    let isHuge = V(broadcast: 22).isLess(than: magnitude)
    // Each branch is computed only when some lane takes it; the lanes that take it get the same bits either way.
    var a = sign, b = zero, c = one
    if V.laneCount == 1 || !V.all(isLarge) {
        let s = x * x
        let p = (V(broadcast: -9.643_991_794_250_522_386_28e-1) * s - V(broadcast: 9.928_772_310_019_185_865_64e1)) * s
            - V(broadcast: 1.614_687_684_417_084_479_52e3)
        let q = ((s + V(broadcast: 1.128_116_784_916_329_314_02e2)) * s + V(broadcast: 2.235_488_390_601_004_485_83e3)) * s
            + V(broadcast: 4.844_063_053_251_254_860_48e3)
        a = x
        b = (x * s) * p
        c = q
    }
    if V.laneCount == 1 || V.any(isLarge) {
        // 2|x| ∈ (1.25, 44] where used (huge lanes are clamped to 22, NaN lanes never take this branch).
        let exponential = laneExpInRange(V(broadcast: 2) * V.select(isHuge, V(broadcast: 22), magnitude))
        a = V.select(isLarge, sign, a)
        b = V.select(isLarge, V.select(isHuge, zero, V(broadcast: -2) * sign), b)
        c = V.select(isLarge, V.select(isHuge, one, exponential + one), c)
    }
    return V.select(magnitude.isEqual(to: zero), x, a + b / c)
}

/// The logistic sigmoid `1/(1 + e⁻ˣ)`, evaluated as the identical `½ + ½·tanh(x/2)` (no exponential for the usual
/// |x| < 1.25), and its derivative σ(1 − σ). Within 2·2⁻⁵³ of σ (absolute; measured against `1/(1 + exp(−x))` in
/// `ElementaryFunctionTests`).
@inlinable @inline(__always)
public func laneLogisticSigmoid<V: LaneReal>(_ x: V) -> (value: V, derivative: V) {
    let half = V(broadcast: 0.5)
    let value = half + half * laneTanh(half * x)
    return (value, value * (V(broadcast: 1) - value))
}

/// Keras 2's hard sigmoid `clip(0.2x + 0.5, 0, 1)` and its derivative: 0.2 strictly inside (−2.5, 2.5), else 0.
/// NaN gives (NaN, 0.2).
@inlinable @inline(__always)
public func laneHardSigmoid<V: LaneReal>(_ x: V) -> (value: V, derivative: V) {
    let zero = V(broadcast: 0), one = V(broadcast: 1)
    let linear = V(broadcast: 0.2) * x + V(broadcast: 0.5)
    let belowZero = linear.isLessOrEqual(to: zero), aboveOne = one.isLessOrEqual(to: linear)
    let value = V.select(belowZero, zero, V.select(aboveOne, one, linear))
    let derivative = V.select(belowZero, zero, V.select(aboveOne, zero, V(broadcast: 0.2)))
    return (value, derivative)
}
