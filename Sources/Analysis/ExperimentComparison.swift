import Experiment
import NeuralNetwork

/// The seed of a comparison's bootstrap: derived from the two configurations' identities only, so the same
/// comparison always gives the same interval.
func bootstrapSeed(_ a: ConfigurationResults, _ b: ConfigurationResults) -> UInt64 {
    splitMix64Finalize(fnv1a64("\(a.experiment)|\(a.label)|\(b.experiment)|\(b.label)"))
}

/// Compares two configurations' final test RMSE. Configurations of different experiments must have been trained for
/// the same number of epochs; within one experiment the epochs may be what its configurations vary.
public func compareConfigurations(_ a: ConfigurationResults, _ b: ConfigurationResults) throws -> Comparison {
    guard a.epochs == b.epochs || a.experiment == b.experiment else {
        throw AnalysisError.epochMismatch(a.label, a.epochs, b.label, b.epochs)
    }
    let labelA = a.experiment == b.experiment ? a.label : "\(a.experiment): \(a.label)"
    let labelB = a.experiment == b.experiment ? b.label : "\(b.experiment): \(b.label)"
    return compareSamples(a.scores, labelA: labelA, b.scores, labelB: labelB, seed: bootstrapSeed(a, b))
}

/// Every configuration of an experiment against its unregularized baseline, with Holm-adjusted Welch p-values
/// (the family is the experiment's comparisons that have a p-value).
public func compareWithBaseline(_ results: ExperimentResults) throws -> [Comparison] {
    guard let baseline = results.baseline else { throw AnalysisError.noBaseline(experiment: results.name) }
    var comparisons = try results.configurations.filter { $0.label != baseline.label }.map {
        try compareConfigurations($0, baseline)
    }
    // Holm over the comparisons that have a p-value; one with too few runs for a test (NaN) stays unadjusted.
    let tested = comparisons.indices.filter { !comparisons[$0].welchPValue.isNaN }
    let adjusted = holmAdjusted(tested.map { comparisons[$0].welchPValue })
    for (index, p) in zip(tested, adjusted) { comparisons[index].setAdjustedPValue(p) }
    return comparisons
}

/// A markdown table of comparisons with a baseline.
public func comparisonMarkdown(_ comparisons: [Comparison]) -> String {
    var lines = ["| configuration | Δ mean RMSE | 95% CI (bootstrap) | Welch p (Holm) | Mann–Whitney p | Cohen's d |",
                 "|---|---:|---:|---:|---:|---:|"]
    for c in comparisons {
        let adjusted = c.adjustedPValue.map(formatPValue) ?? formatPValue(c.welchPValue)
        lines.append("| \(c.labelA) | \(signed(c.meanDifference)) | \(signed(c.intervalLower)) to \(signed(c.intervalUpper)) | "
                     + "\(adjusted) | \(formatPValue(c.mannWhitneyPValue)) | \(fixed(c.cohensD, decimals: 2)) |")
    }
    return lines.joined(separator: "\n")
}


