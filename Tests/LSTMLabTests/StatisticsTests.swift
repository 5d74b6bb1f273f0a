@testable import Analysis
import Foundation
import NeuralNetwork
import Testing

// Expected values were computed once with SciPy 1.17.1 and numpy 2.4.6 (Python 3.11) and pasted here:
//   from scipy import stats, special; import numpy as np
//   stats.ttest_ind(x, y, equal_var=False)                        → statistic, df, pvalue
//   stats.mannwhitneyu(x, y, alternative='two-sided', method=m, use_continuity=True) for m in
//       'asymptotic', 'exact', 'auto'                             → statistic, pvalue
//   (np.mean(x) - np.mean(y)) / np.sqrt(((len(x)-1)*np.var(x, ddof=1) + (len(y)-1)*np.var(y, ddof=1))
//       / (len(x)+len(y)-2))                                      → Cohen's d
//   2 * stats.t.sf(abs(t), df)                                    → Student t two-sided tails
//   special.ndtr(-z)                                              → normal survival function
// statsmodels is not installed, so the Holm values were computed by hand in numpy with the steps of
// statsmodels.stats.multitest.multipletests(p, method='holm')[1]:
//   order = np.argsort(p); adj = np.maximum.accumulate(p[order] * np.arange(m, 0, -1)); adj[adj > 1] = 1
//   out = np.empty(m); out[order] = adj
// Values are printed with repr(float(...)), i.e. to full double precision.

/// |actual − expected| ≤ tolerance·max(1, |expected|): relative for statistics, absolute near 0.
private func near(_ actual: Double, _ expected: Double, _ tolerance: Double = 1e-12) -> Bool {
    abs(actual - expected) <= tolerance * max(1, abs(expected))
}

/// Relative closeness for p-values, which can be tiny: |actual − expected| ≤ tolerance·|expected|.
private func relativelyNear(_ actual: Double, _ expected: Double, _ tolerance: Double = 1e-10) -> Bool {
    abs(actual - expected) <= tolerance * abs(expected)
}

/// Thirty RMSE-like scores of a regularized configuration and thirty of a baseline (drawn once with
/// np.random.default_rng(2024): normal(92, 3.5) and normal(104, 5.0), rounded to 2 decimals; no ties).
private let regularized = [95.6, 97.75, 96.01, 88.59, 87.13, 92.24, 95.01, 93.78, 98.34, 94.63, 94.24, 89.44, 88.12,
                           97.2, 92.17, 94.84, 87.18, 90.47, 87.48, 89.29, 95.16, 86.82, 90.13, 92.57, 89.66, 91.12,
                           91.22, 93.46, 90.49, 92.95]
private let baseline = [104.28, 106.12, 105.12, 112.29, 100.68, 110.0, 101.99, 99.21, 110.06, 101.8, 102.06, 97.06,
                        93.51, 107.17, 98.17, 107.89, 113.24, 103.43, 98.37, 105.97, 107.81, 102.69, 104.09, 110.68,
                        110.33, 107.55, 99.67, 103.73, 107.01, 102.94]
/// 12 against 15 values on a 0.5 grid: many ties.
private let tiedC = [99.0, 98.5, 98.5, 98.5, 99.0, 102.5, 98.5, 102.0, 101.0, 100.5, 98.5, 99.0]
private let tiedD = [105.0, 101.0, 102.0, 102.5, 103.0, 100.5, 100.0, 101.0, 100.5, 102.5, 101.5, 101.5, 101.5,
                     103.5, 100.0]
/// 5 against 6 values, no ties: `'auto'` takes the exact path.
private let small5 = [93.1, 96.4, 91.7, 99.2, 94.8]
private let small6 = [97.3, 101.6, 95.9, 103.2, 98.7, 100.4]
/// Equal means (100), different spreads, ties within `equal2`.
private let equal1 = [90.0, 95.0, 100.0, 105.0, 110.0]
private let equal2 = [80.0, 100.0, 100.0, 120.0, 100.0, 100.0]

@Suite("Statistics: Welch, Mann–Whitney, Cohen's d, bootstrap, Holm, comparisons")
struct StatisticsTests {
    // MARK: Special functions

    @Test("Student t two-sided tails match 2 * stats.t.sf(abs(t), df) to 1e-12")
    func studentTails() {
        let cases: [(t: Double, df: Double, p: Double)] = [
            (0.5, 3.0, 0.651447964848151),
            (-2.0, 7.5, 0.08289699529816631),
            (3.7, 12.25, 0.0029361989692030864),
            (10.0, 2.0, 0.00985245702332569),
            (-25.0, 51.8, 1.4174918907035998e-30),
            (1.0, 1e4, 0.31733470433042915),
            (6.0, 1e6, 1.97384981235443e-09),
            (0.01, 30.0, 0.9920874925731777),
            (40.0, 200.0, 2.2487396535202197e-97),
        ]
        for c in cases {
            let p = studentTTwoSidedPValue(c.t, degreesOfFreedom: c.df)
            #expect(relativelyNear(p, c.p, 1e-12), "t = \(c.t), df = \(c.df): \(p) vs \(c.p)")
        }
        #expect(studentTTwoSidedPValue(0, degreesOfFreedom: 4) == 1)
        #expect(studentTTwoSidedPValue(-.infinity, degreesOfFreedom: 4) == 0)
        #expect(studentTTwoSidedPValue(.nan, degreesOfFreedom: 4).isNaN)
    }

    @Test("Normal survival matches special.ndtr(-z)")
    func normalTail() {
        let cases: [(z: Double, p: Double)] = [
            (-3.0, 0.9986501019683699), (-0.3, 0.6179114221889526), (0.0, 0.5), (0.4, 0.3445782583896758),
            (1.5, 0.06680720126885807), (4.0, 3.167124183311986e-05), (9.0, 1.1285884059538324e-19),
            (20.0, 2.7536241186061556e-89),
        ]
        for c in cases {
            #expect(relativelyNear(normalSurvival(c.z), c.p, 1e-13), "z = \(c.z)")
        }
    }

    @Test("log Β agrees with lgamma where lgamma is accurate, across its three branches")
    func logBetaBranches() {
        for (a, b) in [(0.5, 3.0), (2.5, 9.5), (0.5, 12.0), (3.0, 40.0), (12.0, 15.0), (25.0, 0.5)] {
            let direct = lgamma(a) + lgamma(b) - lgamma(a + b)
            #expect(abs(logBeta(a, b) - direct) <= 1e-13 * max(1, abs(direct)), "a = \(a), b = \(b)")
        }
    }

    // MARK: Welch

    @Test("Welch t test: 30 vs 30 scores, p far in the tail")
    func welchMain() {
        // stats.ttest_ind(regularized, baseline, equal_var=False)
        let r = welchTTest(regularized, baseline)
        #expect(near(r.t, -11.606562788283837))
        #expect(near(r.degreesOfFreedom, 51.80074403512549))
        #expect(relativelyNear(r.pValue, 5.011888732371833e-16))
    }

    @Test("Welch t test: tied, small and equal-mean samples")
    func welchOthers() {
        let cases: [(a: [Double], b: [Double], t: Double, df: Double, p: Double)] = [
            (tiedC, tiedD, -3.783350353474348, 22.984190806034622, 0.0009628301901384269),
            (small5, small6, -2.605734087538014, 8.391898190883788, 0.030122599728598654),
            (small5, regularized, 2.036673702994109, 5.900317676635324, 0.08864526518176287),
            (equal1, equal2, 0.0, 8.461980463512738, 1.0),
        ]
        for c in cases {
            let r = welchTTest(c.a, c.b)
            #expect(near(r.t, c.t), "t \(r.t) vs \(c.t)")
            #expect(near(r.degreesOfFreedom, c.df))
            #expect(relativelyNear(r.pValue, c.p), "p \(r.pValue) vs \(c.p)")
        }
    }

    @Test("Welch t test: identical, single-value and constant samples (SciPy's conventions)")
    func welchSpecialCases() {
        // Identical samples: t = 0, p = 1 (ttest_ind([1.,2,3],[1.,2,3], equal_var=False) → 0.0, 1.0, df 4.0).
        let same = welchTTest(regularized, regularized)
        #expect(same.t == 0)
        #expect(same.pValue == 1)
        #expect(near(same.degreesOfFreedom, 58))
        // A single value: its variance is undefined, so t and p are NaN; SciPy replaces the NaN df by 1
        // (ttest_ind([1.0],[2,3,4], equal_var=False) → nan, nan, df 1.0).
        let single = welchTTest([1.0], [2, 3, 4])
        #expect(single.t.isNaN)
        #expect(single.pValue.isNaN)
        #expect(single.degreesOfFreedom == 1)
        // Constant samples: ttest_ind([1,1,1],[2,2,2], equal_var=False) → -inf, p 0.0, df 1.0;
        // ttest_ind([1,1,1],[1,1,1], equal_var=False) → nan, nan, df 1.0.
        let constant = welchTTest([1, 1, 1], [2, 2, 2])
        #expect(constant.t == -.infinity)
        #expect(constant.pValue == 0)
        #expect(constant.degreesOfFreedom == 1)
        let equalConstant = welchTTest([1, 1, 1], [1, 1, 1])
        #expect(equalConstant.t.isNaN)
        #expect(equalConstant.pValue.isNaN)
    }

    // MARK: Mann–Whitney

    @Test("Mann–Whitney asymptotic p-values (tie-corrected, continuity-corrected)")
    func mannWhitneyAsymptotic() {
        let cases: [(a: [Double], b: [Double], u: Double, p: Double)] = [
            (regularized, baseline, 15.0, 1.328851208138703e-10),
            (tiedC, tiedD, 28.5, 0.002737611196549548),
            (small5, small6, 4.0, 0.05523425371806383),
            (small5, regularized, 111.0, 0.09423165073398893),
            (equal1, equal2, 15.0, 1.0),
            ([19, 22, 16, 29, 24], [20, 11, 17, 12], 17.0, 0.11134688653314041),   // SciPy docstring example
        ]
        for c in cases {
            let r = mannWhitneyU(c.a, c.b)
            #expect(r.u == c.u)
            #expect(relativelyNear(r.pValue, c.p), "p \(r.pValue) vs \(c.p)")
            let explicit = mannWhitneyU(c.a, c.b, method: .asymptotic)
            #expect(explicit.u == r.u && explicit.pValue == r.pValue)
        }
        // U is the statistic of the first sample: swapping gives U₂ = n₁n₂ − U₁ and the same two-sided p.
        let swapped = mannWhitneyU(baseline, regularized)
        #expect(swapped.u == 30 * 30 - 15)
        #expect(relativelyNear(swapped.pValue, 1.328851208138703e-10))
    }

    @Test("Mann–Whitney exact p-values, including 30 vs 30 and a tied pair (U truncated as SciPy)")
    func mannWhitneyExact() {
        let cases: [(a: [Double], b: [Double], u: Double, p: Double)] = [
            (small5, small6, 4.0, 0.05194805194805195),
            (small5, regularized, 111.0, 0.0950553241824589),
            (regularized, baseline, 15.0, 1.1567283982227e-14),
            (tiedC, tiedD, 28.5, 0.002117366338661264),
            (equal1, equal2, 15.0, 1.0),
            ([19, 22, 16, 29, 24], [20, 11, 17, 12], 17.0, 0.1111111111111111),
        ]
        for c in cases {
            let r = mannWhitneyU(c.a, c.b, method: .exact)
            #expect(r.u == c.u)
            #expect(relativelyNear(r.pValue, c.p), "p \(r.pValue) vs \(c.p)")
        }
        // The exact distribution by hand: for 5 vs 4 values there are C(9, 4) = 126 orderings; P(U ≥ 17) counts
        // the orderings with U ∈ {17, …, 20}: 1 + 1 + 2 + 3 = 7, so p = 2·7/126 = 1/9.
        #expect(abs(exactMannWhitneySurvival(17, 5, 4) - 7.0 / 126) < 1e-15)
    }

    @Test("Mann–Whitney 'auto' follows SciPy 1.17: exact iff min(n₁, n₂) ≤ 8 and no ties")
    func mannWhitneyAuto() {
        // stats.mannwhitneyu(x, y, method='auto') for each pair.
        let cases: [(a: [Double], b: [Double], method: MannWhitneyMethod, p: Double)] = [
            (small5, small6, .exact, 0.05194805194805195),
            (small5, regularized, .exact, 0.0950553241824589),          // 5 vs 30: one sample ≤ 8 suffices
            (regularized, baseline, .asymptotic, 1.328851208138703e-10), // both > 8
            (tiedC, tiedD, .asymptotic, 0.002737611196549548),          // both > 8 (and ties)
            (equal1, equal2, .asymptotic, 1.0),                         // small but tied
            ([19, 22, 16, 29, 24], [20, 11, 17, 12], .exact, 0.1111111111111111),
        ]
        for c in cases {
            #expect(resolvedMannWhitneyMethod(c.a, c.b, method: .auto) == c.method)
            let r = mannWhitneyU(c.a, c.b, method: .auto)
            #expect(relativelyNear(r.pValue, c.p), "p \(r.pValue) vs \(c.p)")
        }
        #expect(resolvedMannWhitneyMethod(small5, small6, method: .asymptotic) == .asymptotic)
        #expect(resolvedMannWhitneyMethod(regularized, baseline, method: .exact) == .exact)
    }

    @Test("Mann–Whitney special cases: identical samples, single values, all values equal")
    func mannWhitneySpecialCases() {
        let same = mannWhitneyU(regularized, regularized)
        #expect(same.u == 450)
        #expect(same.pValue == 1)
        // mannwhitneyu([1.0],[2.0], method='asymptotic') → 0.0, 1.0; method='auto' (exact) → 0.0, 1.0.
        #expect(mannWhitneyU([1.0], [2.0]) == (u: 0, pValue: 1))
        #expect(mannWhitneyU([1.0], [2.0], method: .auto) == (u: 0, pValue: 1))
        // mannwhitneyu([1.0,1],[1.0,1], method='asymptotic') → 2.0, 1.0 (σ = 0, z = −∞, p clipped to 1).
        #expect(mannWhitneyU([1.0, 1], [1.0, 1]) == (u: 2, pValue: 1))
        // midranks as rankdata(method='average').
        let ranking = midRanks([3, 1, 3, 2, 3])
        #expect(ranking.ranks == [4, 1, 4, 2, 4])
        #expect(ranking.tieSizes.sorted() == [1, 1, 3])
    }

    // MARK: Cohen's d

    @Test("Cohen's d with pooled n − 1 standard deviation")
    func cohen() {
        let cases: [(a: [Double], b: [Double], d: Double)] = [
            (regularized, baseline, -2.9968016257156016),
            (tiedC, tiedD, -1.4761888916450419),
            (small5, small6, -1.5884835734270706),
            (small5, regularized, 0.8909795697539663),
            (equal1, equal2, 0.0),
        ]
        for c in cases { #expect(near(cohensD(c.a, c.b), c.d), "\(cohensD(c.a, c.b)) vs \(c.d)") }
        #expect(cohensD(regularized, regularized) == 0)
        // A single value contributes no squared deviations: pooled variance = Σ(b − b̄)²/(1 + 3 − 2) = 2/2 = 1,
        // d = (1 − 3)/1 = −2. Two single values: 0/0, NaN. Constant samples: ±∞ or NaN.
        #expect(near(cohensD([1.0], [2, 3, 4]), -2))
        #expect(cohensD([1.0], [2.0]).isNaN)
        #expect(cohensD([1, 1], [2, 2]) == -.infinity)
        #expect(cohensD([1, 1], [1, 1]).isNaN)
    }

    @Test("Effect-size labels at Cohen's thresholds")
    func effectLabels() {
        #expect(EffectSize(cohensD: 0.0) == .negligible)
        #expect(EffectSize(cohensD: -0.199) == .negligible)
        #expect(EffectSize(cohensD: 0.2) == .small)
        #expect(EffectSize(cohensD: -0.49) == .small)
        #expect(EffectSize(cohensD: 0.5) == .medium)
        #expect(EffectSize(cohensD: 0.79) == .medium)
        #expect(EffectSize(cohensD: -0.8) == .large)
        #expect(EffectSize(cohensD: .infinity) == .large)
        #expect(EffectSize(cohensD: .nan) == nil)
    }

    // MARK: Bootstrap

    @Test("Bootstrap interval: same seed → same interval, different seeds → different intervals")
    func bootstrapDeterminism() {
        let first = bootstrapMeanDifferenceInterval(regularized, baseline, seed: 42)
        let again = bootstrapMeanDifferenceInterval(regularized, baseline, seed: 42)
        let other = bootstrapMeanDifferenceInterval(regularized, baseline, seed: 43)
        #expect(first == again)
        #expect(first.difference == other.difference)
        #expect(first.lower != other.lower || first.upper != other.upper)
    }

    @Test("Bootstrap interval: contains the observed difference, has the normal-theory width, nests by level")
    func bootstrapSanity() {
        let r = bootstrapMeanDifferenceInterval(regularized, baseline, seed: 7)
        #expect(near(r.difference, -12.394333333333364, 1e-12))   // np.mean(regularized) - np.mean(baseline)
        #expect(r.lower < r.difference && r.difference < r.upper)
        // The bootstrap standard error uses divisor n (plug-in variance): √(Σ(a − ā)²/nₐ² + Σ(b − b̄)²/n_b²).
        let se = (sampleVariance(regularized) * 29 / 900 + sampleVariance(baseline) * 29 / 900).squareRoot()
        let width = r.upper - r.lower
        #expect(width > 0.9 * 2 * 1.959964 * se && width < 1.1 * 2 * 1.959964 * se, "width \(width), se \(se)")
        let narrow = bootstrapMeanDifferenceInterval(regularized, baseline, confidence: 0.5, seed: 7)
        #expect(narrow.lower > r.lower && narrow.upper < r.upper)
        // Constant samples: every replicate is the observed difference.
        let degenerate = bootstrapMeanDifferenceInterval([5.0], [3.0, 3.0], resamples: 100, seed: 1)
        #expect(degenerate == (difference: 2, lower: 2, upper: 2))
    }

    @Test("Bootstrap interval: pinned values for seed 2024 (guards the index stream, not an external reference)")
    func bootstrapPinned() {
        // Recorded from this implementation (RandomSource xoshiro256**, Lemire indices, a's draws then b's per
        // replicate); a change here means intervals in archived notebooks would no longer reproduce.
        let r = bootstrapMeanDifferenceInterval(small5, small6, resamples: 2_000, seed: 2024)
        #expect(near(r.difference, -4.4766666666666595, 1e-12))   // np.mean(small5) - np.mean(small6)
        #expect(r.lower == pinnedLower && r.upper == pinnedUpper, "\(r.lower) \(r.upper)")
    }

    @Test("Lemire indices stay in range and are close to uniform")
    func lemireIndices() {
        var random = RandomSource(seed: 99)
        var counts = [0, 0, 0]
        for _ in 0..<30_000 { counts[uniformIndex(below: 3, using: &random)] += 1 }
        #expect(counts.allSatisfy { abs($0 - 10_000) < 400 }, "\(counts)")   // ±4.5σ
        for _ in 0..<100 { #expect(uniformIndex(below: 1, using: &random) == 0) }
    }

    // MARK: Holm

    @Test("Holm adjustment matches multipletests(p, method='holm')[1]")
    func holm() {
        let cases: [(p: [Double], adjusted: [Double])] = [
            ([0.01, 0.04, 0.03, 0.005, 0.2, 0.04], [0.05, 0.12, 0.12, 0.03, 0.2, 0.12]),
            ([0.5, 0.6, 0.01], [1.0, 1.0, 0.03]),
            ([0.02], [0.02]),
            ([0.3, 0.0004, 0.012, 0.049, 0.8], [0.6, 0.002, 0.048, 0.14700000000000002, 0.8]),
        ]
        for c in cases {
            let adjusted = holmAdjusted(c.p)
            #expect(adjusted.count == c.adjusted.count)
            for (x, y) in zip(adjusted, c.adjusted) { #expect(near(x, y, 1e-15), "\(adjusted) vs \(c.adjusted)") }
        }
        #expect(holmAdjusted([]) == [])
    }

    @Test("Holm adjustment is monotone, never below the raw p-values, and capped at 1")
    func holmProperties() {
        var random = RandomSource(seed: 5)
        for _ in 0..<50 {
            let p = (0..<12).map { _ in random.nextUnit() * random.nextUnit() }
            let adjusted = holmAdjusted(p)
            for i in p.indices {
                #expect(adjusted[i] >= p[i] && adjusted[i] <= 1)
                for j in p.indices where p[i] < p[j] { #expect(adjusted[i] <= adjusted[j]) }
                for j in p.indices where p[i] == p[j] { #expect(adjusted[i] == adjusted[j]) }
            }
        }
        #expect(holmAdjusted([0.9, 0.8, 0.7]) == [1, 1, 1])
    }

    // MARK: Comparison

    @Test("compareSamples bundles the statistics and writes a significant verdict")
    func comparisonSignificant() {
        let c = compareSamples(regularized, labelA: "kernel L1L2(0.01,0.01)", baseline, labelB: "L1L2(0.00,0.00)",
                               seed: 11)
        #expect(c.sizeA == 30 && c.sizeB == 30)
        #expect(near(c.meanA - c.meanB, -12.394333333333364, 1e-12))
        #expect(near(c.meanDifference, -12.394333333333364, 1e-12))
        #expect(c.intervalLower < c.meanDifference && c.meanDifference < c.intervalUpper)
        #expect(near(c.welchT, -11.606562788283837))
        #expect(near(c.welchDegreesOfFreedom, 51.80074403512549))
        #expect(relativelyNear(c.welchPValue, 5.011888732371833e-16))
        #expect(c.mannWhitneyU == 15)
        #expect(c.mannWhitneyMethod == .asymptotic)
        #expect(relativelyNear(c.mannWhitneyPValue, 1.328851208138703e-10))
        #expect(near(c.cohensD, -2.9968016257156016))
        #expect(c.effectSize == .large)
        #expect(c.isSignificant)
        #expect(c.adjustedPValue == nil)
        let interval = bootstrapMeanDifferenceInterval(regularized, baseline, seed: 11)
        #expect(c.intervalLower == interval.lower && c.intervalUpper == interval.upper)
        let from = String(format: "%.1f", -interval.upper), to = String(format: "%.1f", -interval.lower)
        #expect(c.verdict == "kernel L1L2(0.01,0.01) is lower than L1L2(0.00,0.00) by 12.4 (95% CI \(from) to \(to)), "
                + "p = 5.0e-16 (Welch), large effect (d = −3.00)", "\(c.verdict)")
    }

    @Test("An adjusted p-value re-derives the verdict; clearing it restores the original")
    func comparisonAdjusted() {
        var c = compareSamples(small5, labelA: "A", small6, labelB: "B", seed: 3)
        #expect(c.mannWhitneyMethod == .exact)
        #expect(relativelyNear(c.mannWhitneyPValue, 0.05194805194805195))
                #expect(c.verdict == "A is lower than B by 4.48 (95% CI 1.40 to 7.40), p = 0.03 (Welch), large effect (d = −1.59)",
                "\(c.verdict)")
        let original = c.verdict
        c.setAdjustedPValue(0.0903)
        #expect(c.adjustedPValue == 0.0903 && c.adjustment == "Holm")
        #expect(!c.isSignificant)
        #expect(c.verdict.hasPrefix("no significant difference between A and B: difference −4.48 (95% CI −"),
                "\(c.verdict)")
        #expect(c.verdict.hasSuffix("p = 0.09 (Welch, Holm-adjusted), large effect (d = −1.59)"), "\(c.verdict)")
        #expect(c.withAdjustedPValue(nil).verdict == original)
        c.setAdjustedPValue(nil)
        #expect(c.verdict == original && c.adjustment == nil)
        // A p-value that two digits would round to α keeps a third: 0.0496 is not shown as 0.05.
        #expect(c.withAdjustedPValue(0.0496).verdict.contains("p = 0.0496 (Welch, Holm-adjusted)"))
    }

    @Test("Equal means: no significant difference; single values: no test possible")
    func comparisonNotSignificant() {
        let c = compareSamples(equal1, labelA: "A", equal2, labelB: "B", seed: 1)
        #expect(c.welchT == 0 && c.welchPValue == 1 && c.cohensD == 0)
        // Three significant digits of the largest of the difference and the bounds: one decimal here.
        #expect(c.verdict == "no significant difference between A and B: difference 0.0 (95% CI −11.3 to 11.0), "
                + "p = 1 (Welch), negligible effect (d = 0.00)", "\(c.verdict)")
        let single = compareSamples([90.0], labelA: "A", [95.0], labelB: "B", seed: 1)
        #expect(single.welchPValue.isNaN && single.cohensD.isNaN)
        #expect(single.verdict == "no test possible between A (n = 1) and B (n = 1): Welch's p-value is undefined, "
                + "effect size undefined")
    }

    @Test("A comparison round-trips through JSON")
    func comparisonCodable() throws {
        let c = compareSamples(tiedC, labelA: "C", tiedD, labelB: "D", seed: 8).withAdjustedPValue(0.004)
        let data = try JSONEncoder().encode(c)
        let decoded = try JSONDecoder().decode(Comparison.self, from: data)
        #expect(decoded == c)
        #expect(decoded.verdict.contains("p = 0.004 (Welch, Holm-adjusted)"))
    }
}

/// The pinned bootstrap bounds of `bootstrapPinned` (see there).
private let pinnedLower = -7.540083333333339
private let pinnedUpper = -1.539999999999992
