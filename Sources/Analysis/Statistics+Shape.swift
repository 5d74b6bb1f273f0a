import Foundation

// The shape and spread of samples and a sample's distance from a fixed value: skewness and D'Agostino's test of it,
// the Brown–Forsythe test of equal spreads, and the one-sample t test. Each matches SciPy 1.17 (cited in its
// comment, checked in `FamilyStatisticsTests`).

/// The sample skewness g₁ = m₃ / m₂^{3/2}, with the central moments mₖ = Σ(x − x̄)ᵏ / n (biased, as
/// `scipy.stats.skew(x)` with its default `bias=True`). Positive for a long right tail; NaN for a constant sample.
public func skewness(_ sample: [Double]) -> Double {
    precondition(!sample.isEmpty, "skewness: the sample is empty")
    let mean = sampleMean(sample), n = Double(sample.count)
    let m2 = sumOfSquaredDeviations(sample, mean: mean) / n
    let m3 = sample.reduce(0) { $0 + ($1 - mean) * ($1 - mean) * ($1 - mean) } / n
    return m3 / (m2 * m2.squareRoot())
}

/// D'Agostino's test that a sample's skewness is that of a normal distribution, two-sided: `scipy.stats.skewtest(x)`
/// (R. B. D'Agostino, A. Belanger & R. B. D'Agostino Jr., "A suggestion for using powerful and informative tests of
/// normality", The American Statistician 44(4), 1990). With g₁ = `skewness`, n ≥ 8:
/// - y = g₁·√((n + 1)(n + 3) / (6(n − 2)));
/// - β₂ = 3(n² + 27n − 70)(n + 1)(n + 3) / ((n − 2)(n + 5)(n + 7)(n + 9)), W² = −1 + √(2(β₂ − 1));
/// - δ = 1/√(½·ln W²), α = √(2/(W² − 1)), and y = 1 when y = 0 (as SciPy);
/// - z = δ·ln(y/α + √((y/α)² + 1)), p = 2·P(Z ≥ |z|).
/// nil for fewer than 8 values (SciPy refuses them).
public func skewTest(_ sample: [Double]) -> (z: Double, pValue: Double)? {
    guard sample.count >= 8 else { return nil }
    let n = Double(sample.count)
    var y = skewness(sample) * ((n + 1) * (n + 3) / (6 * (n - 2))).squareRoot()
    let beta2 = 3 * (n * n + 27 * n - 70) * (n + 1) * (n + 3) / ((n - 2) * (n + 5) * (n + 7) * (n + 9))
    let w2 = -1 + (2 * (beta2 - 1)).squareRoot()
    let delta = 1 / (0.5 * log(w2)).squareRoot()
    let alpha = (2 / (w2 - 1)).squareRoot()
    if y == 0 { y = 1 }
    let z = delta * log(y / alpha + ((y / alpha) * (y / alpha) + 1).squareRoot())
    return (z, 2 * normalSurvival(abs(z)))
}

/// The one-sample t test of mean(sample) = μ, two-sided: `scipy.stats.ttest_1samp(x, μ)`:
/// t = (x̄ − μ) / (s/√n) with s the standard deviation of divisor n − 1, ν = n − 1, p = P(|T_ν| ≥ |t|).
/// NaN t and p for a single value.
public func oneSampleTTest(_ sample: [Double], mean mu: Double) -> (t: Double, degreesOfFreedom: Double, pValue: Double) {
    precondition(!sample.isEmpty, "oneSampleTTest: the sample is empty")
    let n = Double(sample.count)
    guard sample.count > 1 else { return (.nan, 0, .nan) }
    let t = (sampleMean(sample) - mu) / (sampleVariance(sample) / n).squareRoot()
    return (t, n - 1, studentTTwoSidedPValue(t, degreesOfFreedom: n - 1))
}

/// The Brown–Forsythe test that several samples have the same spread: `scipy.stats.levene(*samples)` (its default
/// `center='median'`; M. B. Brown & A. B. Forsythe, "Robust tests for the equality of variances", JASA 69, 1974).
/// With zᵢⱼ = |xᵢⱼ − median(xᵢ)|, k samples and N values in all, W = (N − k)/(k − 1) · Σᵢ nᵢ(z̄ᵢ − z̄)² /
/// Σᵢ Σⱼ (zᵢⱼ − z̄ᵢ)², and p = P(F(k − 1, N − k) ≥ W) = I_{(N−k)/(N−k + (k−1)W)}((N − k)/2, (k − 1)/2).
/// nil for fewer than two samples or no more values than samples; NaN W and p when every zᵢⱼ equals its z̄ᵢ and
/// the z̄ᵢ are equal (0/0), p = 0 when only the within-sample sum is zero.
public func brownForsytheTest(_ samples: [[Double]]) -> (w: Double, pValue: Double)? {
    let k = samples.count, total = samples.reduce(0) { $0 + $1.count }
    guard k >= 2, total > k, samples.allSatisfy({ !$0.isEmpty }) else { return nil }
    let deviations = samples.map { sample in
        let median = quantile(sorted: sample.sorted(), 0.5)
        return sample.map { abs($0 - median) }
    }
    let groupMeans = deviations.map(sampleMean)
    let grandMean = deviations.joined().reduce(0, +) / Double(total)
    let between = zip(deviations, groupMeans).reduce(0) { $0 + Double($1.0.count) * ($1.1 - grandMean) * ($1.1 - grandMean) }
    let within = zip(deviations, groupMeans).reduce(0) { $0 + sumOfSquaredDeviations($1.0, mean: $1.1) }
    let d1 = Double(k - 1), d2 = Double(total - k)
    let w = d2 / d1 * between / within
    if w.isNaN { return (w, .nan) }
    if w.isInfinite { return (w, 0) }
    return (w, regularizedIncompleteBeta(d2 / 2, d1 / 2, x: d2 / (d2 + d1 * w), y: d1 * w / (d2 + d1 * w)))
}
