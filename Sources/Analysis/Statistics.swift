import Foundation
import NeuralNetwork

// Two-sample comparisons of scores (final test RMSE of repeated runs): Welch's t test, the Mann–Whitney U test,
// Cohen's d, a percentile bootstrap interval of the difference of means, and Holm's adjustment of a family of
// p-values. Pure functions of [Double]; each matches a SciPy (or statsmodels) reference, cited in its comment and
// checked in `StatisticsTests` against values computed once with SciPy 1.17.1.
//
// Inputs must be non-empty and free of NaN (a precondition); a statistic that is undefined for the sizes given
// (a variance of one value, say) comes back as NaN, never as a trap.

private func checkSample(_ sample: [Double], _ name: String) {
    precondition(!sample.isEmpty, "\(name): the sample is empty")
    precondition(!sample.contains(where: \.isNaN), "\(name): the sample contains NaN")
}

// MARK: - Welch's t test

/// Welch's unequal-variances t test, two-sided: `scipy.stats.ttest_ind(a, b, equal_var=False)`.
///
/// With sample variances s² (divisor n − 1) and vₐ = sₐ²/nₐ, v_b = s_b²/n_b:
/// - t = (x̄ₐ − x̄_b) / √(vₐ + v_b);
/// - ν = (vₐ + v_b)² / (vₐ²/(nₐ − 1) + v_b²/(n_b − 1))  (Welch–Satterthwaite);
/// - p = P(|T_ν| ≥ |t|) = I_{ν/(ν+t²)}(ν/2, ½), the regularized incomplete beta function evaluated by its continued
///   fraction (Numerical Recipes, 3rd ed., §6.4, modified Lentz); relative accuracy 1e-12 or better for ν ≤ 10⁶
///   (~1e-15 for the ν of tens to hundreds that samples of runs give).
///
/// Degenerate cases follow SciPy 1.17: when ν is NaN (both variances zero, or a sample of one value whose variance
/// is NaN) it is set to 1, as SciPy's `_unequal_var_ttest_denom` does. So two constant samples with different means
/// give t = ±∞, p = 0; two equal constant samples give t = NaN, p = NaN; a single-value sample gives t = NaN, p = NaN
/// (its variance is undefined). Identical non-constant samples give t = 0, p = 1.
public func welchTTest(_ a: [Double], _ b: [Double]) -> (t: Double, degreesOfFreedom: Double, pValue: Double) {
    checkSample(a, "welchTTest")
    checkSample(b, "welchTTest")
    return welchTTest(meanA: sampleMean(a), varianceA: sampleVariance(a), countA: a.count,
                      meanB: sampleMean(b), varianceB: sampleVariance(b), countB: b.count)
}

/// Welch's t test from summary statistics (sample variances with divisor n − 1), two-sided, by the formulas and
/// degenerate cases of `welchTTest(_:_:)`: `scipy.stats.ttest_ind_from_stats(meanA, √varianceA, countA, meanB,
/// √varianceB, countB, equal_var=False)`. For a published `describe()` row set beside a sample.
public func welchTTest(meanA: Double, varianceA: Double, countA: Int, meanB: Double, varianceB: Double, countB: Int)
    -> (t: Double, degreesOfFreedom: Double, pValue: Double)
{
    let na = Double(countA), nb = Double(countB)
    let va = varianceA / na
    let vb = varianceB / nb
    var df = (va + vb) * (va + vb) / (va * va / (na - 1) + vb * vb / (nb - 1))
    if df.isNaN { df = 1 }
    let t = (meanA - meanB) / (va + vb).squareRoot()
    return (t, df, studentTTwoSidedPValue(t, degreesOfFreedom: df))
}

// MARK: - Mann–Whitney U test

/// How `mannWhitneyU(_:_:method:)` computes its p-value, as SciPy's `method` argument.
public enum MannWhitneyMethod: String, Sendable, Codable, CaseIterable {
    /// SciPy's default: `.exact` when at least one sample has at most 8 values and there are no ties,
    /// `.asymptotic` otherwise (`scipy.stats._mannwhitneyu._mwu_choose_method`).
    case auto
    /// The exact null distribution of U (all C(n₁+n₂, n₁) rankings equally likely); not corrected for ties.
    case exact
    /// The normal approximation with tie-corrected variance and continuity correction.
    case asymptotic
}

/// The method `.auto` resolves to for these samples, by SciPy 1.17's rule (`_mwu_choose_method`):
/// `.asymptotic` if n₁ > 8 and n₂ > 8; otherwise `.asymptotic` if any value occurs more than once in the pooled
/// sample; otherwise `.exact`. So the exact distribution is used when *either* sample has ≤ 8 values and there are
/// no ties (5 runs against 30 is exact). `.exact` and `.asymptotic` resolve to themselves.
public func resolvedMannWhitneyMethod(_ a: [Double], _ b: [Double], method: MannWhitneyMethod) -> MannWhitneyMethod {
    guard method == .auto else { return method }
    if a.count > 8 && b.count > 8 { return .asymptotic }
    return Set(a + b).count < a.count + b.count ? .asymptotic : .exact
}

/// Mann–Whitney U test, two-sided, normal approximation:
/// `scipy.stats.mannwhitneyu(a, b, alternative='two-sided', method='asymptotic', use_continuity=True)`.
///
/// U is SciPy's U₁, the statistic of `a`: U₁ = R₁ − n₁(n₁ + 1)/2 with R₁ the sum of the mid-ranks of `a` in the
/// pooled sample (tied values share the average of their ranks); U₂ = n₁n₂ − U₁. With U = max(U₁, U₂), n = n₁ + n₂
/// and tᵢ the sizes of the groups of tied values:
/// - σ = √(n₁n₂/12 · ((n + 1) − Σ(tᵢ³ − tᵢ)/(n(n − 1))))  (tie-corrected);
/// - z = (U − n₁n₂/2 − ½)/σ  (continuity correction);
/// - p = min(1, 2·Φ(−z)), Φ(−z) = ½·erfc(z/√2) as Cephes `ndtr`.
/// When every value is the same, σ = 0, z = −∞ and p = 1, as SciPy.
///
/// SciPy's *default* `method='auto'` is not this: it uses the exact distribution for small samples without ties.
/// `mannWhitneyU(_:_:method:)` offers that choice.
public func mannWhitneyU(_ a: [Double], _ b: [Double]) -> (u: Double, pValue: Double) {
    mannWhitneyU(a, b, method: .asymptotic)
}

/// Mann–Whitney U test, two-sided, with SciPy's choice of p-value:
/// `scipy.stats.mannwhitneyu(a, b, alternative='two-sided', method=...)` with `'auto'`, `'exact'` or
/// `'asymptotic'` (continuity correction on). U is always U₁, the statistic of `a` (see `mannWhitneyU(_:_:)`).
///
/// `.exact`, as SciPy: U = max(U₁, U₂) truncated to an integer (SciPy's `np.int64` cast; it only matters with ties,
/// which the exact distribution ignores), p = min(1, 2·P(U′ ≥ U)) under the null distribution of U′ in which all
/// C(n₁+n₂, n₁) orderings are equally likely. The counts N(u; i, j) of orderings of i values against j with U′ = u
/// come from the all-positive recurrence N(u; i, j) = N(u − j; i − 1, j) + N(u; i, j − 1) (the largest value
/// belongs to one sample or the other), in `Double` (exact below 2⁵³), truncated at the tail needed; P(U′ ≥ U) uses
/// the symmetry of the distribution to sum the shorter tail. Cost O(min(n₁,n₂)·max(n₁,n₂)·n₁n₂/2) at worst —
/// immediate for the sizes `.auto` sends here, seconds for a few hundred values.
///
/// `.auto`: `.exact` if at least one sample has ≤ 8 values and there are no ties, else `.asymptotic`
/// (`resolvedMannWhitneyMethod`).
public func mannWhitneyU(_ a: [Double], _ b: [Double], method: MannWhitneyMethod) -> (u: Double, pValue: Double) {
    checkSample(a, "mannWhitneyU")
    checkSample(b, "mannWhitneyU")
    let n1 = a.count, n2 = b.count
    let ranking = midRanks(a + b)
    let r1 = ranking.ranks[0..<n1].reduce(0, +)
    let u1 = r1 - Double(n1 * (n1 + 1)) / 2
    let u2 = Double(n1 * n2) - u1
    let u = Swift.max(u1, u2)
    let p: Double
    switch resolvedMannWhitneyMethod(a, b, method: method) {
    case .exact:
        p = 2 * exactMannWhitneySurvival(Int(u), n1, n2)
    case .asymptotic, .auto:
        let n = Double(n1 + n2)
        let tieTerm = ranking.tieSizes.reduce(0) { $0 + $1 * $1 * $1 - $1 }
        let sigma = (Double(n1 * n2) / 12 * ((n + 1) - tieTerm / (n * (n - 1)))).squareRoot()
        let z = (u - Double(n1 * n2) / 2 - 0.5) / sigma
        p = 2 * normalSurvival(z)
    }
    return (u1, Swift.min(Swift.max(p, 0), 1))
}

/// Mid-ranks (1-based; tied values get the average of the ranks they span, as `scipy.stats.rankdata(method=
/// 'average')`) and the sizes of the groups of equal values (1 for an untied value).
func midRanks(_ values: [Double]) -> (ranks: [Double], tieSizes: [Double]) {
    let order = values.indices.sorted { values[$0] < values[$1] }
    var ranks = [Double](repeating: 0, count: values.count)
    var tieSizes: [Double] = []
    var start = 0
    while start < order.count {
        var end = start + 1
        while end < order.count && values[order[end]] == values[order[start]] { end += 1 }
        let rank = Double(start + 1 + end) / 2   // average of the ranks start+1 … end
        for position in start..<end { ranks[order[position]] = rank }
        tieSizes.append(Double(end - start))
        start = end
    }
    return (ranks, tieSizes)
}

/// P(U′ ≥ u) for the exact null distribution of the Mann–Whitney statistic of samples of sizes n₁, n₂
/// (SciPy's `_MWU.sf`): the distribution is symmetric about n₁n₂/2, so P(U′ ≥ u) = P(U′ ≤ n₁n₂ − u) when
/// n₁n₂ − u ≤ u, else 1 − P(U′ ≤ u − 1).
func exactMannWhitneySurvival(_ u: Int, _ n1: Int, _ n2: Int) -> Double {
    let m = Swift.min(n1, n2), n = Swift.max(n1, n2)
    let complement = m * n - u
    if complement <= u {
        return exactMannWhitneyCDF(complement, m, n)
    }
    return 1 - exactMannWhitneyCDF(u - 1, m, n)
}

/// P(U′ ≤ k) under the null, m ≤ n: Σ_{u ≤ k} N(u; m, n) / C(m + n, m).
private func exactMannWhitneyCDF(_ k: Int, _ m: Int, _ n: Int) -> Double {
    if k < 0 { return 0 }
    if k >= m * n { return 1 }
    // counts[j][u] = N(u; i, j) for the current i, u ≤ k.
    let unit = [1.0] + [Double](repeating: 0, count: k)
    var previous = [[Double]](repeating: unit, count: n + 1)   // i = 0: only U′ = 0
    if m > 0 {
        for _ in 1...m {
            var current: [[Double]] = [unit]                    // j = 0: only U′ = 0
            current.reserveCapacity(n + 1)
            for j in 1...n {
                var row = current[j - 1]
                let lower = previous[j]
                if j <= k {
                    for value in j...k { row[value] += lower[value - j] }
                }
                current.append(row)
            }
            previous = current
        }
    }
    var total = 1.0   // C(m + n, m), exact while below 2⁵³: each step is an integer
    if m > 0 { for i in 1...m { total = total * Double(n + i) / Double(i) } }
    return previous[n].reduce(0, +) / total
}

// MARK: - Effect size

/// Cohen's d with the pooled standard deviation (divisors n − 1):
/// d = (x̄ₐ − x̄_b) / √(((nₐ − 1)sₐ² + (n_b − 1)s_b²)/(nₐ + n_b − 2)).
///
/// Computed with sums of squares, (n − 1)s² = Σ(x − x̄)², so a single-value sample contributes 0 (as SciPy's pooled
/// variance in `_equal_var_ttest_denom`) and d is defined when nₐ + n_b ≥ 3. NaN when nₐ = n_b = 1 (0/0) or when
/// both samples are constant with equal means; ±∞ when both are constant with different means.
/// Reference: J. Cohen, *Statistical Power Analysis for the Behavioral Sciences*, 2nd ed., 1988, §2.2.
public func cohensD(_ a: [Double], _ b: [Double]) -> Double {
    checkSample(a, "cohensD")
    checkSample(b, "cohensD")
    let meanA = sampleMean(a), meanB = sampleMean(b)
    let pooledVariance = (sumOfSquaredDeviations(a, mean: meanA) + sumOfSquaredDeviations(b, mean: meanB))
        / Double(a.count + b.count - 2)
    return (meanA - meanB) / pooledVariance.squareRoot()
}

/// Cohen's conventional labels for |d|: negligible < 0.2 ≤ small < 0.5 ≤ medium < 0.8 ≤ large.
public enum EffectSize: String, Sendable, Codable, CaseIterable {
    case negligible, small, medium, large

    /// The label of |d|; nil for a NaN d.
    public init?(cohensD d: Double) {
        if d.isNaN { return nil }
        switch abs(d) {
        case ..<0.2: self = .negligible
        case ..<0.5: self = .small
        case ..<0.8: self = .medium
        default: self = .large
        }
    }
}

// MARK: - Bootstrap

/// An unbiased uniform index in 0..<bound by Lemire's multiply-and-reject method (D. Lemire, "Fast random integer
/// generation in an interval", ACM TOMACS 29(1), 2019): the high word of x·bound for a 64-bit x, redrawing while the
/// low word is below 2⁶⁴ mod bound. Written out here rather than `Int.random(in:using:)` so that the stream of
/// indices for a seed cannot change with the standard library.
func uniformIndex(below bound: Int, using random: inout RandomSource) -> Int {
    precondition(bound > 0)
    let range = UInt64(bound)
    var product = random.next().multipliedFullWidth(by: range)
    if product.low < range {
        let threshold = (0 &- range) % range
        while product.low < threshold { product = random.next().multipliedFullWidth(by: range) }
    }
    return Int(product.high)
}

/// A percentile bootstrap interval for mean(a) − mean(b) (B. Efron & R. Tibshirani, *An Introduction to the
/// Bootstrap*, 1993, §13.3).
///
/// Each of `resamples` replicates draws nₐ values of `a` and then n_b values of `b`, independently and with
/// replacement (indices by Lemire's method from `RandomSource(seed: seed)`, in that order), and records
/// mean(a*) − mean(b*). With α = 1 − confidence, the bounds are the α/2 and 1 − α/2 quantiles of the sorted
/// replicates by linear interpolation (`quantile(sorted:_:)`, numpy's default). `difference` is the observed
/// mean(a) − mean(b). The same inputs and seed give the same interval on every machine.
public func bootstrapMeanDifferenceInterval(
    _ a: [Double], _ b: [Double], confidence: Double = 0.95, resamples: Int = 10_000, seed: UInt64
) -> (difference: Double, lower: Double, upper: Double) {
    checkSample(a, "bootstrapMeanDifferenceInterval")
    checkSample(b, "bootstrapMeanDifferenceInterval")
    precondition(confidence > 0 && confidence < 1, "the confidence level must be in (0, 1)")
    precondition(resamples > 0, "the bootstrap needs at least one resample")
    var random = RandomSource(seed: seed)
    var replicates = [Double](repeating: 0, count: resamples)
    let na = Double(a.count), nb = Double(b.count)
    for replicate in 0..<resamples {
        var sumA = 0.0
        for _ in 0..<a.count { sumA += a[uniformIndex(below: a.count, using: &random)] }
        var sumB = 0.0
        for _ in 0..<b.count { sumB += b[uniformIndex(below: b.count, using: &random)] }
        replicates[replicate] = sumA / na - sumB / nb
    }
    replicates.sort()
    let alpha = 1 - confidence
    return (sampleMean(a) - sampleMean(b), quantile(sorted: replicates, alpha / 2),
            quantile(sorted: replicates, 1 - alpha / 2))
}

// MARK: - Multiple comparisons

/// Holm–Bonferroni adjusted p-values, in the input order: `statsmodels.stats.multitest.multipletests(p,
/// method='holm')[1]` (S. Holm, "A simple sequentially rejective multiple test procedure", Scand. J. Statist. 6,
/// 1979).
///
/// With the m p-values sorted ascending, p₍₁₎ ≤ … ≤ p₍ₘ₎: p̃₍ᵢ₎ = min(1, max_{j ≤ i} (m − j + 1)·p₍ⱼ₎) — a step-down
/// running maximum, so the adjusted values keep the order of the raw ones, are never below them, and are capped at 1.
/// Ties get equal adjusted values whatever their order. Rejecting p̃ < α is Holm's procedure at level α.
/// An empty input gives an empty output; p-values must lie in [0, 1].
public func holmAdjusted(_ pValues: [Double]) -> [Double] {
    precondition(pValues.allSatisfy { $0 >= 0 && $0 <= 1 }, "holmAdjusted: p-values must lie in [0, 1]")
    let m = pValues.count
    let order = pValues.indices.sorted { pValues[$0] < pValues[$1] }
    var adjusted = [Double](repeating: 0, count: m)
    var runningMaximum = 0.0
    for (rank, index) in order.enumerated() {
        runningMaximum = Swift.max(runningMaximum, Double(m - rank) * pValues[index])
        adjusted[index] = Swift.min(runningMaximum, 1)
    }
    return adjusted
}
