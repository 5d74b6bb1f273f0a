import Experiment
import Foundation
import NeuralNetwork

/// A file of a notebook, its path relative to the notebooks folder.
public struct NotebookFile: Sendable, Equatable {
    public var path: String
    public var contents: String

    public init(path: String, contents: String) {
        self.path = path
        self.contents = contents
    }
}

/// An experiment's notebook: `<experiment>.md` and its SVG figures under `figures/`, rendered from values only.
/// Nothing machine- or time-dependent goes in (provenance stays in the archive), so the same results always give the
/// same bytes.
public struct ExperimentNotebook: Sendable {
    public var results: ExperimentResults
    /// The curve summary of each configuration, in the results' order.
    public var summaries: [CurveSummary]
    /// Every configuration against the baseline (empty when the experiment has none).
    public var comparisons: [Comparison]
    /// The command that recreates the experiment.
    public var recreateCommand: String
    /// Runs whose own curves are drawn faintly in the curves figure of a `dynamics` experiment.
    public var faintRuns = 10
    /// Configurations drawn in a curves figure at most (the baseline, the best and the worst are kept).
    public var maximumCurveConfigurations = 6

    public init(results: ExperimentResults, summaries: [CurveSummary], recreateCommand: String) throws {
        precondition(summaries.count == results.configurations.count, "one curve summary per configuration")
        self.results = results
        self.summaries = summaries
        self.recreateCommand = recreateCommand
        comparisons = results.baseline == nil ? [] : try compareWithBaseline(results)
    }

    /// The notebook's markdown and figures.
    public func render() -> [NotebookFile] {
        let name = results.name
        let boxFile = "figures/\(name)-box.svg", curvesFile = "figures/\(name)-curves.svg"
        let box = boxPlotSVG(title: "\(name): test RMSE over \(results.spec.repeats) repeats",
                             samples: results.configurations.map { ($0.label, $0.scores) })
        let plotted = curveSelection()
        let faint = results.spec.preset == Preset.dynamics.rawValue ? faintRuns : 0
        let curves = curvesSVG(title: "\(name): mean train and test RMSE per epoch",
                               series: plotted.map { summaries[$0].chartSeries(faintRuns: faint) })
        let text = notebookMarkdown(results: results, summaries: summaries, plotted: plotted, faint: faint,
                                    comparisons: comparisons, recreateCommand: recreateCommand, boxFile: boxFile,
                                    curvesFile: curvesFile)
        return [NotebookFile(path: boxFile, contents: box), NotebookFile(path: curvesFile, contents: curves),
                NotebookFile(path: "\(name).md", contents: text)]
    }

    /// Indices of the configurations drawn in the curves figure: all when few; else the baseline, the two best and
    /// the worst by mean final test RMSE.
    func curveSelection() -> [Int] {
        let all = Array(results.configurations.indices)
        guard all.count > maximumCurveConfigurations else { return all }
        let byMean = all.sorted { sampleMean(results.configurations[$0].scores) < sampleMean(results.configurations[$1].scores) }
        var chosen: [Int] = []
        if let baseline = all.first(where: { results.configurations[$0].configuration.isBaseline }) { chosen.append(baseline) }
        for index in byMean.prefix(2) + [byMean.last!] where !chosen.contains(index) { chosen.append(index) }
        return chosen.sorted()
    }
}

/// A sentence on the profile.
public func profileDescription(_ profile: KerasProfile) -> String {
    switch profile {
    case .keras2: "keras2 — hard sigmoid clip(0.2x + 0.5, 0, 1), Adam ε = 1e-8 (Keras 2.0, the study's era)"
    case .keras3: "keras3 — logistic sigmoid, Adam ε = 1e-7, activity penalty ÷ batch (Keras 3)"
    }
}

func notebookMarkdown(results: ExperimentResults, summaries: [CurveSummary], plotted: [Int], faint: Int,
                      comparisons: [Comparison], recreateCommand: String, boxFile: String, curvesFile: String) -> String {
    let spec = results.spec, t = spec.training
    let name = results.name
    var md: [String] = []
    md.append("# \(name)")
    md.append("")
    if let preset = Preset(rawValue: spec.preset) { md.append("Preset `\(preset.rawValue)`: \(preset.summary).") }
    md.append("")
    md.append("## What was run")
    md.append("")
    md.append("| | |")
    md.append("|---|---|")
    md.append("| profile | \(profileDescription(t.profile)) |")
    // A setting the configurations vary shows each of its values: `LSTM(2/3)`, `60/120` epochs.
    func values<T: Comparable & CustomStringConvertible & Hashable>(_ setting: KeyPath<TrainingSettings, T>) -> String {
        Set(spec.trainingSettings.map { $0[keyPath: setting] }).sorted().map(\.description).joined(separator: "/")
    }
    md.append("| network | stateful LSTM(\(values(\.units))) → Dense(1), batch \(values(\.batchSize)), lag \(values(\.lag)), Adam lr \(values(\.learningRate)) |")
    md.append("| data | \(results.series.name), last \(values(\.testSize)) months as the test set |")
    md.append("| configurations | \(results.configurations.count): \(results.configurations.map { "`\($0.label)`" }.joined(separator: ", ")) |")
    md.append("| repeats × epochs | \(spec.repeats) × \(values(\.epochs)) |")
    md.append("| experiment seed | \(spec.seed) (each run's seed is derived from it, the configuration and the repeat; `lstmlab runs --experiment \(name)` lists them) |")
    md.append("| product | lstmlab \(results.productVersion) |")
    let failed = results.failedCount
    let finished = results.finishedCount
    let unfinished = results.unfinishedCount > 0 ? ", \(results.unfinishedCount) not finished (the results cover the finished runs only)" : ""
    md.append("| runs | \(finished) finished\(failed > 0 ? ", \(failed) failed (NaN/inf, not scored)" : "")\(unfinished) |")
    md.append("")
    if let file = results.experimentFile {
        md.append("The experiment file:")
        md.append("")
        md.append("```yaml")
        md.append(file.hasSuffix("\n") ? String(file.dropLast()) : file)
        md.append("```")
        md.append("")
    }
    md.append("Reproduce: `\(recreateCommand)`, then `lstmlab notebook \(name)`; `lstmlab reproduce --experiment \(name)` re-trains every run and checks it bit for bit.")
    md.append("")
    md.append("## Test RMSE after the last epoch")
    md.append("")
    md.append(SummaryTable(results).markdown)
    md.append("")
    md.append("![Box plot of test RMSE per configuration](\(boxFile))")
    md.append("")
    md.append("## Behaviour dynamics")
    md.append("")
    let shown = plotted.count == summaries.count ? "every configuration"
        : "the baseline, the two best and the worst configuration"
    md.append("Mean train (dashed) and test (solid) RMSE after every epoch over the repeats, with interquartile bands, for \(shown)"
              + (faint > 0 ? "; the first \(faint) runs of each are drawn faintly." : "."))
    md.append("")
    md.append("![Train and test RMSE per epoch](\(curvesFile))")
    md.append("")
    md.append(contentsOf: curveDiagnosticsMarkdown(summaries))
    if !comparisons.isEmpty {
        md.append("## Comparison with the unregularized baseline")
        md.append("")
        md.append("Difference of mean test RMSE (configuration − baseline; negative is better) with a 95% percentile "
                  + "bootstrap interval (10 000 resamples, seeded), Welch's t-test with Holm's correction over the "
                  + "\(comparisons.count) comparison(s), Mann–Whitney U and Cohen's d.")
        md.append("")
        md.append(comparisonMarkdown(comparisons))
        md.append("")
    }
    md.append("## Findings")
    md.append("")
    md.append(contentsOf: findings(results: results, summaries: summaries, comparisons: comparisons).map { "- \($0)" })
    md.append("")
    return md.joined(separator: "\n")
}

/// The curve diagnostics of each configuration as a markdown table, a blank line, the over-fitting rule, a blank line.
func curveDiagnosticsMarkdown(_ summaries: [CurveSummary]) -> [String] {
    var md = ["| configuration | lowest mean test RMSE | at epoch | final test RMSE | final train RMSE | final gap | over-fitting onset |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    for summary in summaries {
        let d = summary.diagnostics
        md.append("| \(summary.label) | \(format3(d.bestTestRMSE)) | \(d.bestEpoch) | \(format3(d.finalTestRMSE)) | "
                  + "\(format3(d.finalTrainRMSE)) | \(format3(d.finalGap)) | \(d.overfittingOnset.map(String.init) ?? "none") |")
    }
    md.append("")
    md.append("Over-fitting onset: the epoch of the minimum of the mean test curve smoothed over \(CurveDiagnostics.smoothingWindow) epochs, "
              + "when the smoothed test RMSE then rises by at least \(fixed(CurveDiagnostics.minimumRise, decimals: 1)) while the smoothed train RMSE keeps falling.")
    md.append("")
    return md
}

/// Sentences written from the numbers: what is better, by how much, how sure.
func findings(results: ExperimentResults, summaries: [CurveSummary], comparisons: [Comparison]) -> [String] {
    var lines: [String] = []
    let ranked = results.configurations.sorted { sampleMean($0.scores) < sampleMean($1.scores) }
    let best = ranked.first!
    let bestDescription = Description(best.scores)
    lines.append("Lowest mean test RMSE: `\(best.label)`, \(format3(bestDescription.mean)) ± \(format3(bestDescription.std)) (mean ± std over \(best.scores.count) runs).")
    if let baseline = results.baseline {
        let base = Description(baseline.scores)
        lines.append("Unregularized baseline `\(baseline.label)`: \(format3(base.mean)) ± \(format3(base.std)).")
        let better = comparisons.filter { $0.isSignificant && $0.meanDifference < 0 }
        let worse = comparisons.filter { $0.isSignificant && $0.meanDifference > 0 }
        let neutral = comparisons.filter { !$0.isSignificant }
        if !better.isEmpty {
            lines.append("Significantly better than the baseline (Holm-adjusted Welch p < 0.05): "
                         + better.map { "`\($0.labelA)` (\(signed($0.meanDifference)), 95% CI \(signed($0.intervalLower)) to \(signed($0.intervalUpper)), d = \(fixed($0.cohensD, decimals: 2)))" }.joined(separator: "; ") + ".")
        }
        if !worse.isEmpty {
            lines.append("Significantly worse than the baseline: "
                         + worse.map { "`\($0.labelA)` (\(signed($0.meanDifference)), 95% CI \(signed($0.intervalLower)) to \(signed($0.intervalUpper)))" }.joined(separator: "; ") + ".")
        }
        if !neutral.isEmpty {
            lines.append("No significant difference from the baseline: "
                         + neutral.map { "`\($0.labelA)` (\(signed($0.meanDifference)), \(pStatement($0.adjustedPValue ?? $0.welchPValue)))" }.joined(separator: "; ") + ".")
        }
        let tighter = results.configurations.filter { !$0.configuration.isBaseline && Description($0.scores).std < base.std }
        if !tighter.isEmpty && tighter.count < results.configurations.count - 1 {
            lines.append("Tighter spread (lower std) than the baseline: \(tighter.map { "`\($0.label)`" }.joined(separator: ", ")).")
        } else if !tighter.isEmpty {
            lines.append("Every regularized configuration has a tighter spread (lower std) than the baseline.")
        }
    }
    let overfitting = summaries.filter { $0.diagnostics.overfittingOnset != nil }
    if overfitting.isEmpty {
        lines.append("No configuration shows over-fitting by the onset rule: no mean test curve rises while its train curve keeps falling.")
    } else {
        lines.append("Over-fitting (test RMSE rising while train RMSE falls) starts around epoch "
                     + overfitting.map { "\($0.diagnostics.overfittingOnset!) for `\($0.label)`" }.joined(separator: ", ") + ".")
    }
    return lines
}
