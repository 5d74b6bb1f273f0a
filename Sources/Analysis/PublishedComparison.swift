/// A published column's mean set against our runs of the configuration that reproduces it: Welch's t test from the
/// published mean, std and count against our scores (`welchTTest(meanA:…)`), with Holm's adjustment over the
/// columns of one table in one profile.
public struct PublishedComparison: Sendable {
    public var column: PublishedColumn
    public var label: String
    public var ours: Description
    /// Our mean − the published mean.
    public var difference: Double
    public var welchT: Double
    public var welchPValue: Double
    /// Welch's p-value adjusted over the table's columns (Holm); nil when it was not tested (a single run).
    public var adjustedPValue: Double?

    /// The p-value to judge by: the adjusted one if set, else Welch's.
    public var decisivePValue: Double { adjustedPValue ?? welchPValue }
}

/// Every mapped column of `table` that `profile` has runs of, against the published statistics, with Welch's
/// p-values Holm-adjusted over those columns.
public func publishedComparisons(_ table: MappedTable, _ profile: ProfileResults) -> [PublishedComparison] {
    var comparisons: [PublishedComparison] = table.mapped.compactMap { column, label in
        guard let configuration = profile.configuration(label) else { return nil }
        let ours = Description(configuration.scores)
        let welch = welchTTest(meanA: ours.mean, varianceA: sampleVariance(configuration.scores), countA: ours.count,
                               meanB: column.mean, varianceB: column.std * column.std, countB: column.count)
        return PublishedComparison(column: column, label: label, ours: ours, difference: ours.mean - column.mean,
                                   welchT: welch.t, welchPValue: welch.pValue, adjustedPValue: nil)
    }
    let tested = comparisons.indices.filter { !comparisons[$0].welchPValue.isNaN }
    for (index, p) in zip(tested, holmAdjusted(tested.map { comparisons[$0].welchPValue })) {
        comparisons[index].adjustedPValue = p
    }
    return comparisons
}

