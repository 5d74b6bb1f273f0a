import Foundation

/// Two samples of scores compared by every statistic of `Statistics.swift`, with a one-line verdict.
///
/// The verdict rests on Welch's p-value — the adjusted one when `adjustedPValue` is set (a family of comparisons
/// corrected by `holmAdjusted`) — against α = 0.05, and labels |d| by Cohen's conventions (`EffectSize`). NaN
/// statistics (samples of one value) make `Codable` encoding with a default `JSONEncoder` fail; set a
/// `nonConformingFloatEncodingStrategy` to encode them.
public struct Comparison: Sendable, Codable, Equatable {
    /// The significance level of the verdict.
    public static let alpha = 0.05

    public var labelA: String
    public var labelB: String
    public var sizeA: Int
    public var sizeB: Int
    public var meanA: Double
    public var meanB: Double
    /// meanA − meanB.
    public var meanDifference: Double
    /// The confidence level of the bootstrap interval (0.95).
    public var confidence: Double
    /// The percentile bootstrap interval of meanA − meanB (`bootstrapMeanDifferenceInterval`).
    public var intervalLower: Double
    public var intervalUpper: Double
    /// The seed of the bootstrap, so the interval can be recomputed.
    public var bootstrapSeed: UInt64
    public var bootstrapResamples: Int
    public var welchT: Double
    public var welchDegreesOfFreedom: Double
    /// Welch's two-sided p-value, unadjusted.
    public var welchPValue: Double
    /// U₁, the Mann–Whitney statistic of sample A.
    public var mannWhitneyU: Double
    public var mannWhitneyPValue: Double
    /// How the Mann–Whitney p-value was computed (`.auto` resolved: `.exact` or `.asymptotic`).
    public var mannWhitneyMethod: MannWhitneyMethod
    public var cohensD: Double
    /// Welch's p-value adjusted for multiple comparisons, when this comparison belongs to a family.
    public private(set) var adjustedPValue: Double?
    /// The name of the adjustment ("Holm"), when `adjustedPValue` is set.
    public private(set) var adjustment: String?
    /// The one-line verdict, re-derived whenever the adjusted p-value changes.
    public private(set) var verdict: String

    /// The p-value the verdict uses: the adjusted one if set, else Welch's.
    public var decisivePValue: Double { adjustedPValue ?? welchPValue }

    /// Whether the decisive p-value is below α = 0.05 (false for a NaN p-value).
    public var isSignificant: Bool { decisivePValue < Comparison.alpha }

    /// Cohen's label of |d|; nil when d is NaN.
    public var effectSize: EffectSize? { EffectSize(cohensD: cohensD) }

    /// Sets (or, with nil, clears) the adjusted Welch p-value and re-derives the verdict.
    public mutating func setAdjustedPValue(_ p: Double?, method: String = "Holm") {
        adjustedPValue = p
        adjustment = p == nil ? nil : method
        verdict = makeVerdict()
    }

    /// A copy with the adjusted Welch p-value set and the verdict re-derived.
    public func withAdjustedPValue(_ p: Double?, method: String = "Holm") -> Comparison {
        var copy = self
        copy.setAdjustedPValue(p, method: method)
        return copy
    }

    init(labelA: String, labelB: String, a: [Double], b: [Double], seed: UInt64, confidence: Double,
         resamples: Int, mannWhitneyMethod: MannWhitneyMethod) {
        self.labelA = labelA
        self.labelB = labelB
        sizeA = a.count
        sizeB = b.count
        meanA = sampleMean(a)
        meanB = sampleMean(b)
        let interval = bootstrapMeanDifferenceInterval(a, b, confidence: confidence, resamples: resamples, seed: seed)
        meanDifference = interval.difference
        self.confidence = confidence
        intervalLower = interval.lower
        intervalUpper = interval.upper
        bootstrapSeed = seed
        bootstrapResamples = resamples
        let welch = welchTTest(a, b)
        welchT = welch.t
        welchDegreesOfFreedom = welch.degreesOfFreedom
        welchPValue = welch.pValue
        self.mannWhitneyMethod = resolvedMannWhitneyMethod(a, b, method: mannWhitneyMethod)
        let mannWhitney = Analysis.mannWhitneyU(a, b, method: self.mannWhitneyMethod)
        mannWhitneyU = mannWhitney.u
        mannWhitneyPValue = mannWhitney.pValue
        cohensD = Analysis.cohensD(a, b)
        adjustedPValue = nil
        adjustment = nil
        verdict = ""
        verdict = makeVerdict()
    }

    /// The verdict, e.g.
    /// `kernel L1L2(0.01,0.01) is lower than L1L2(0.00,0.00) by 12.4 (95% CI 10.6 to 14.2), p = 5.0e-16 (Welch), large effect (d = −3.00)`
    /// or `no significant difference between A and B: difference +0.40 (95% CI −3.20 to 4.10), p = 0.41 (Welch),
    /// small effect (d = 0.21)`. When A is lower (higher), the difference and interval are those of B − A (A − B),
    /// so both read as positive amounts.
    func makeVerdict() -> String {
        let p = decisivePValue
        let pText = "p = \(formatVerdictPValue(p, alpha: Comparison.alpha)) (Welch\(adjustment.map { ", \($0)-adjusted" } ?? ""))"
        let effect = effectSize.map { "\($0.rawValue) effect (d = \(formatSigned(cohensD, decimals: 2)))" }
            ?? "effect size undefined"
        if p.isNaN {
            return "no test possible between \(labelA) (n = \(sizeA)) and \(labelB) (n = \(sizeB)): "
                + "Welch's p-value is undefined, \(effect)"
        }
        let level = "\(String(format: "%g", confidence * 100))% CI"
        let decimals = decimalsForThreeSignificantDigits(meanDifference, intervalLower, intervalUpper)
        if isSignificant && meanDifference != 0 {
            let lower = meanDifference < 0
            let (amount, from, to) = lower
                ? (-meanDifference, -intervalUpper, -intervalLower)
                : (meanDifference, intervalLower, intervalUpper)
            return "\(labelA) is \(lower ? "lower" : "higher") than \(labelB) by \(formatSigned(amount, decimals: decimals)) "
                + "(\(level) \(formatSigned(from, decimals: decimals)) to \(formatSigned(to, decimals: decimals))), "
                + "\(pText), \(effect)"
        }
        let sign = meanDifference > 0 ? "+" : ""
        return "no significant difference between \(labelA) and \(labelB): difference "
            + "\(sign)\(formatSigned(meanDifference, decimals: decimals)) (\(level) "
            + "\(formatSigned(intervalLower, decimals: decimals)) to \(formatSigned(intervalUpper, decimals: decimals))), "
            + "\(pText), \(effect)"
    }
}

/// Compares two samples of scores: means, the percentile bootstrap interval of mean(a) − mean(b)
/// (`resamples` replicates from `seed`), Welch's t test, the Mann–Whitney U test (by default with SciPy's `'auto'`
/// choice of exact or asymptotic p-value), Cohen's d and the verdict. No adjusted p-value is set.
public func compareSamples(
    _ a: [Double], labelA: String, _ b: [Double], labelB: String, seed: UInt64, confidence: Double = 0.95,
    resamples: Int = 10_000, mannWhitneyMethod: MannWhitneyMethod = .auto
) -> Comparison {
    Comparison(labelA: labelA, labelB: labelB, a: a, b: b, seed: seed, confidence: confidence, resamples: resamples,
               mannWhitneyMethod: mannWhitneyMethod)
}
