import Foundation

// The special functions behind the p-values of `Statistics.swift`: log Β, the regularized incomplete beta function,
// the two-sided tail of Student's t and the normal survival function. Internal: the public API is the tests.

/// ½·ln(2π).
private let halfLogTwoPi = 0.918_938_533_204_672_741_78

/// The Stirling-series remainder δ(x) = ln Γ(x) − [(x − ½)·ln x − x + ½·ln 2π], for x ≥ 10:
/// δ(x) = 1/(12x) − 1/(360x³) + 1/(1260x⁵) − 1/(1680x⁷) + 1/(1188x⁹) − 691/(360360x¹¹) + 1/(156x¹³).
/// The first omitted term, 3617/(122400·x¹⁵), is below 3·10⁻¹⁷ at x = 10.
func stirlingRemainder(_ x: Double) -> Double {
    precondition(x >= 10, "the Stirling remainder series is used for x ≥ 10 only")
    let r = 1 / x
    let r2 = r * r
    var series = 1.0 / 156
    series = series * r2 - 691.0 / 360_360
    series = series * r2 + 1.0 / 1188
    series = series * r2 - 1.0 / 1680
    series = series * r2 + 1.0 / 1260
    series = series * r2 - 1.0 / 360
    series = series * r2 + 1.0 / 12
    return series * r
}

/// ln Β(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b) for a, b > 0.
///
/// With p = min(a, b) and q = max(a, b):
/// - q < 10: the three `lgamma` values directly (all small, so no harmful cancellation);
/// - p < 10 ≤ q: ln Γ(p) + [ln Γ(q) − ln Γ(p + q)], the bracket from Stirling's series without cancellation:
///   −(q − ½)·log1p(p/q) − p·ln(p + q) + p + δ(q) − δ(p + q);
/// - p ≥ 10: ½·ln 2π − ½·ln q + (p − ½)·ln(p/(p + q)) + q·ln(q/(p + q)) + δ(p) + δ(q) − δ(p + q).
/// The Student t case (b = ½, a = ν/2 large) is the middle branch, accurate to a few ulps of ln Β.
func logBeta(_ a: Double, _ b: Double) -> Double {
    let p = Swift.min(a, b), q = Swift.max(a, b)
    if q < 10 { return lgamma(p) + lgamma(q) - lgamma(p + q) }
    if p < 10 {
        let difference = -(q - 0.5) * log1p(p / q) - p * log(p + q) + p
            + stirlingRemainder(q) - stirlingRemainder(p + q)
        return lgamma(p) + difference
    }
    return halfLogTwoPi - 0.5 * log(q) - (p - 0.5) * log1p(q / p) - q * log1p(p / q)
        + stirlingRemainder(p) + stirlingRemainder(q) - stirlingRemainder(p + q)
}

/// The continued fraction of I_x(a, b) (Numerical Recipes, 3rd ed., §6.4, `betacf`), evaluated by the modified
/// Lentz method: d₁ = 1 − (a + b)x/(a + 1), then for m = 1, 2, …
/// d₂ₘ = m(b − m)x / ((a + 2m − 1)(a + 2m)),  d₂ₘ₊₁ = −(a + m)(a + b + m)x / ((a + 2m)(a + 2m + 1)),
/// stopping when a full step changes the value by less than 2⁻⁵² relative. Converges in O(√max(a, b))
/// steps for x < (a + 1)/(a + b + 2). d₁ is formed as ((1 − b) + (a + b)·y)/(a + 1) with y = 1 − x given, which
/// avoids the cancellation of the textbook form when x is near 1 and a is large (Student t with large ν).
private func incompleteBetaContinuedFraction(_ a: Double, _ b: Double, _ x: Double, _ y: Double) -> Double {
    let tiny = 1e-300
    let epsilon = Double.ulpOfOne
    let maxIterations = 100_000
    let qab = a + b, qap = a + 1, qam = a - 1
    var c = 1.0
    var d = ((1 - b) + qab * y) / qap
    if abs(d) < tiny { d = tiny }
    d = 1 / d
    var h = d
    for m in 1...maxIterations {
        let m = Double(m), m2 = 2 * m
        var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1 + aa * d
        if abs(d) < tiny { d = tiny }
        c = 1 + aa / c
        if abs(c) < tiny { c = tiny }
        d = 1 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1 + aa * d
        if abs(d) < tiny { d = tiny }
        c = 1 + aa / c
        if abs(c) < tiny { c = tiny }
        d = 1 / d
        let step = d * c
        h *= step
        if abs(step - 1) <= epsilon { break }
    }
    return h
}

/// The regularized incomplete beta function I_x(a, b) = B(x; a, b)/B(a, b), with y = 1 − x passed separately so
/// that a complement computed without cancellation (e.g. t²/(ν + t²)) keeps its precision.
///
/// I_x(a, b) = xᵃ·yᵇ / (a·B(a, b)) · CF(a, b, x) when x < (a + 1)/(a + b + 2), else 1 − I_y(b, a) by symmetry
/// (Numerical Recipes, 3rd ed., §6.4, `betai`). The front factor is exp(a·ln x + b·ln y − ln B(a, b)), with the
/// logarithm of whichever of x, y is above ½ taken as log1p of minus the other.
///
/// Accuracy for the Student t tails (b = ½, a = ν/2), against mpmath at 40 digits: relative error ~1e-15 for
/// ν ≤ 10⁴, ~1e-13 at ν = 10⁵, ~6e-13 at ν = 10⁶ and ~1.5e-11 at ν = 10⁷ (the continued fraction loses digits as
/// x → 1 with a large; Welch's ν never comes near that for samples of runs). Checked against SciPy in
/// `StatisticsTests`.
func regularizedIncompleteBeta(_ a: Double, _ b: Double, x: Double, y: Double) -> Double {
    if a.isNaN || b.isNaN || x.isNaN || y.isNaN { return .nan }
    precondition(a > 0 && b > 0, "the incomplete beta function needs a, b > 0")
    if x <= 0 { return 0 }
    if y <= 0 { return 1 }
    let logX = x > 0.5 ? log1p(-y) : log(x)
    let logY = y > 0.5 ? log1p(-x) : log(y)
    let front = exp(a * logX + b * logY - logBeta(a, b))
    if x < (a + 1) / (a + b + 2) {
        return front * incompleteBetaContinuedFraction(a, b, x, y) / a
    }
    return 1 - front * incompleteBetaContinuedFraction(b, a, y, x) / b
}

/// The two-sided tail of Student's t with ν degrees of freedom, P(|T| ≥ |t|) = I_{ν/(ν+t²)}(ν/2, ½)
/// (Abramowitz & Stegun 26.7.1; equals `2 * scipy.stats.t.sf(abs(t), ν)`). The arguments are formed without
/// overflow or cancellation: with s = t²/ν, x = 1/(1 + s) and y = s/(1 + s) (for |t| ≥ √ν through r = ν/t²,
/// x = r/(1 + r), y = 1/(1 + r)). t = 0 gives 1, |t| = ∞ gives 0, a NaN t or ν gives NaN.
func studentTTwoSidedPValue(_ t: Double, degreesOfFreedom nu: Double) -> Double {
    if t.isNaN || nu.isNaN { return .nan }
    precondition(nu > 0, "Student's t needs ν > 0")
    let magnitude = abs(t)
    if magnitude == .infinity { return 0 }
    let x: Double, y: Double
    if magnitude * magnitude < nu {
        let s = magnitude * magnitude / nu
        x = 1 / (1 + s)
        y = s / (1 + s)
    } else {
        let r = (nu / magnitude) / magnitude
        x = r / (1 + r)
        y = 1 / (1 + r)
    }
    return regularizedIncompleteBeta(nu / 2, 0.5, x: x, y: y)
}

/// The standard normal CDF Φ(z) as Cephes `ndtr` (SciPy's `special.ndtr`): with x = z/√2,
/// ½ + ½·erf(x) when |x| < 1/√2, else ½·erfc(|x|), reflected as 1 − ½·erfc(x) for x > 0.
func normalCDF(_ z: Double) -> Double {
    if z.isNaN { return .nan }
    let x = z * 0.707_106_781_186_547_524_40
    let absX = abs(x)
    if absX < 0.707_106_781_186_547_524_40 { return 0.5 + 0.5 * erf(x) }
    let tail = 0.5 * erfc(absX)
    return x > 0 ? 1 - tail : tail
}

/// The standard normal survival function P(Z ≥ z) = Φ(−z) (SciPy computes `special.ndtr(-z)`).
func normalSurvival(_ z: Double) -> Double { normalCDF(-z) }
