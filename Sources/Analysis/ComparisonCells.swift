/// The columns of a table of comparisons with a baseline, as `lstmlab compare` prints them and the web page shows them.
public let comparisonColumnNames = ["configuration", "Δ mean", "95% CI", "Welch p (Holm)", "Mann–Whitney p", "Cohen's d"]

/// One comparison's cells under `comparisonColumnNames`: signed differences with three decimals, p-values as
/// `formatPValue`, Cohen's d signed with two decimals.
public func comparisonCells(_ c: Comparison) -> [String] {
    [c.labelA, signed(c.meanDifference), "\(signed(c.intervalLower)) to \(signed(c.intervalUpper))",
     formatPValue(c.adjustedPValue ?? c.welchPValue), formatPValue(c.mannWhitneyPValue),
     (c.cohensD >= 0 ? "+" : "") + formatSigned(c.cohensD, decimals: 2)]
}
