// The moments and quantiles of a sample: the one place every statistic, table and curve summary takes them from.

/// The arithmetic mean Σx/n, summed in order.
public func sampleMean(_ sample: [Double]) -> Double {
    sample.reduce(0, +) / Double(sample.count)
}

/// The sum of squared deviations from the mean, Σ(x − x̄)², summed in order.
public func sumOfSquaredDeviations(_ sample: [Double], mean: Double) -> Double {
    sample.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
}

/// The sample variance with divisor n − 1 (numpy `var(ddof=1)`); NaN (0/0) for a single value.
public func sampleVariance(_ sample: [Double]) -> Double {
    sumOfSquaredDeviations(sample, mean: sampleMean(sample)) / Double(sample.count - 1)
}

/// The q-quantile of sorted values by linear interpolation (numpy's default, pandas's `quantile`).
public func quantile(sorted: [Double], _ q: Double) -> Double {
    precondition(!sorted.isEmpty)
    let position = Double(sorted.count - 1) * q
    let lower = Int(position.rounded(.down))
    let upper = Swift.min(lower + 1, sorted.count - 1)
    let fraction = position - Double(lower)
    return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
}
