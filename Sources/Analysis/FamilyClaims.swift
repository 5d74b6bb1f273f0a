import NeuralNetwork
import TimeSeries

/// Whether a published conclusion holds on our results.
public enum Verdict: String, Sendable, CaseIterable, Codable {
    case holds = "holds"
    case holdsInPart = "holds in part"
    case doesNotHold = "does not hold"
    /// The preset runs no configuration (or the caller gave no curves) that could test it.
    case notTestable = "not testable"
}

/// A published conclusion checked on one profile's results: the verdict and the numbers it rests on.
public struct ClaimVerdict: Sendable, Equatable {
    public var claim: String
    public var verdict: Verdict
    public var evidence: String

    public init(claim: String, verdict: Verdict, evidence: String) {
        self.claim = claim
        self.verdict = verdict
        self.evidence = evidence
    }
}

/// One study's results in one profile: the experiment's results and, when the caller has them, the curve summaries
/// of its configurations (matched by label; empty when curves were not loaded).
public struct ProfileResults: Sendable {
    public var profile: KerasProfile
    public var results: ExperimentResults
    public var curves: [CurveSummary]

    public init(profile: KerasProfile, results: ExperimentResults, curves: [CurveSummary] = []) {
        self.profile = profile
        self.results = results
        self.curves = curves
    }

    /// The finished runs of the configuration of this label, if any.
    public func configuration(_ label: String) -> ConfigurationResults? {
        results.configurations.first { $0.label == label }
    }

    /// The curve summary of the configuration of this label, if given.
    public func curve(_ label: String) -> CurveSummary? { curves.first { $0.label == label } }
}

/// A published conclusion (paraphrased) and the check of it over one profile's results.
public struct FamilyClaim: Sendable {
    public var statement: String
    let check: @Sendable (ClaimContext) throws -> (Verdict, String)

    init(_ statement: String, check: @escaping @Sendable (ClaimContext) throws -> (Verdict, String)) {
        self.statement = statement
        self.check = check
    }

    /// A conclusion no preset configuration can test, with the reason.
    static func untestable(_ statement: String, because reason: String) -> FamilyClaim {
        FamilyClaim(statement) { _ in throw NotTestable(reason: reason) }
    }

    /// The verdict on these results: `notTestable` when a configuration or curve it needs is missing.
    public func verdict(on results: ProfileResults) -> ClaimVerdict {
        do {
            let (verdict, evidence) = try check(ClaimContext(results: results))
            return ClaimVerdict(claim: statement, verdict: verdict, evidence: evidence)
        } catch let missing as NotTestable {
            return ClaimVerdict(claim: statement, verdict: .notTestable, evidence: missing.reason)
        } catch {
            return ClaimVerdict(claim: statement, verdict: .notTestable, evidence: "\(error)")
        }
    }
}

/// Why a claim cannot be checked.
struct NotTestable: Error { var reason: String }

/// What a claim's check reads: scores, curves and comparisons of one profile's results, each throwing `NotTestable`
/// when the configuration is missing. The checks below are the verdict rules, each stated in its comment.
struct ClaimContext {
    let results: ProfileResults

    func configuration(_ label: String) throws -> ConfigurationResults {
        guard let found = results.configuration(label) else {
            throw NotTestable(reason: "`\(results.results.name)` has no finished run of `\(label)`.")
        }
        return found
    }

    func scores(_ label: String) throws -> [Double] { try configuration(label).scores }
    func mean(_ label: String) throws -> Double { sampleMean(try scores(label)) }
    func std(_ label: String) throws -> Double { Description(try scores(label)).std }

    func curve(_ label: String) throws -> CurveSummary {
        guard let curve = results.curve(label) else {
            throw NotTestable(reason: "No train/test curves of `\(label)` were given.")
        }
        return curve
    }

    /// Each pair (a, b) compared (a − b), Welch's p-values Holm-adjusted over the pairs.
    func compare(_ pairs: [(String, String)]) throws -> [Comparison] {
        var comparisons = try pairs.map { try compareConfigurations(try configuration($0.0), try configuration($0.1)) }
        let tested = comparisons.indices.filter { !comparisons[$0].welchPValue.isNaN }
        for (index, p) in zip(tested, holmAdjusted(tested.map { comparisons[$0].welchPValue })) {
            comparisons[index].setAdjustedPValue(p)
        }
        return comparisons
    }

    /// "`label` 97.578 ± 7.928" for each label (mean ± std over the runs).
    func means(_ labels: [String]) throws -> String {
        try labels.map { "`\($0)` \(format3(try mean($0))) ± \(format3(try std($0)))" }.joined(separator: ", ")
    }

    // MARK: Verdict rules

    /// Holds when `target` has the lowest mean among `labels`; holds in part when another has a lower mean but not
    /// significantly (Welch, `target` against the lowest); does not hold when the lowest is significantly lower.
    func lowestMean(_ target: String, among labels: [String]) throws -> (Verdict, String) {
        let values = try labels.map { try mean($0) }
        let best = labels[values.indices.min { values[$0] < values[$1] }!]
        let evidence = "Means: \(try means(labels))."
        if best == target { return (.holds, evidence + " `\(target)` is the lowest.") }
        let comparison = try compare([(target, best)])[0]
        return (comparison.isSignificant ? .doesNotHold : .holdsInPart,
                evidence + " `\(target)` is not the lowest: `\(best)` is, and `\(target)` − `\(best)` = \(brief(comparison)), "
                + (comparison.isSignificant ? "significantly worse." : "not significantly worse."))
    }

    /// Holds when every candidate's mean is significantly lower than the reference's (Welch, Holm over the
    /// candidates); holds in part when some are significantly lower, or all are lower but not significantly; does not
    /// hold otherwise.
    func beats(_ candidates: [String], _ reference: String) throws -> (Verdict, String) {
        let comparisons = try compare(candidates.map { ($0, reference) })
        let significant = comparisons.filter { $0.isSignificant && $0.meanDifference < 0 }.count
        let lower = comparisons.filter { $0.meanDifference < 0 }.count
        let verdict: Verdict = significant == candidates.count ? .holds
            : (significant > 0 || lower == candidates.count ? .holdsInPart : .doesNotHold)
        return (verdict, "Against `\(reference)`: \(list(comparisons)); lower in \(lower) of \(candidates.count), "
                + "significantly in \(significant).")
    }

    /// Holds when in no pair (candidate, reference) is the candidate's mean significantly lower (Welch, Holm over the
    /// pairs); does not hold when one is.
    func noneBeats(_ pairs: [(candidate: String, reference: String)]) throws -> (Verdict, String) {
        let comparisons = try compare(pairs.map { ($0.candidate, $0.reference) })
        let better = comparisons.filter { $0.isSignificant && $0.meanDifference < 0 }
        return (better.isEmpty ? .holds : .doesNotHold,
                "\(list(comparisons)); \(better.count) of \(comparisons.count) significantly lower"
                + (better.isEmpty ? "" : ": \(better.map { "`\($0.labelA)`" }.joined(separator: ", "))") + ".")
    }

    /// `noneBeats` for every label of each group against the group's first.
    func noneBeatsFirst(inEach groups: [[String]]) throws -> (Verdict, String) {
        try noneBeats(groups.flatMap { group in group.dropFirst().map { ($0, group[0]) } })
    }

    /// Holds when no two of `labels` differ significantly (Welch, Holm over every pair); holds in part when some
    /// pairs do; does not hold when every pair does.
    func barelyDiffer(_ labels: [String]) throws -> (Verdict, String) {
        var pairs: [(String, String)] = []
        for i in labels.indices { for j in labels.indices where j > i { pairs.append((labels[j], labels[i])) } }
        let comparisons = try compare(pairs)
        let significant = comparisons.filter(\.isSignificant).count
        let verdict: Verdict = significant == 0 ? .holds : (significant < pairs.count ? .holdsInPart : .doesNotHold)
        return (verdict, "Pairs: \(list(comparisons)); \(significant) of \(pairs.count) differ significantly.")
    }

    /// Holds when `a` and `b` do not differ significantly (Welch); does not hold when they do. Not differing
    /// significantly is not proof of equality: the evidence gives the interval.
    func equal(_ a: String, _ b: String) throws -> (Verdict, String) {
        let comparison = try compare([(a, b)])[0]
        return (comparison.isSignificant ? .doesNotHold : .holds,
                "Means: \(try means([a, b])); \(comparison.verdict).")
    }

    /// Holds when the standard deviation falls at every step of `labels` and the last spread is significantly
    /// smaller than the first (Brown–Forsythe); holds in part when the last is below the first otherwise; does not
    /// hold when it is not.
    func spreadShrinks(_ labels: [String]) throws -> (Verdict, String) {
        let stds = try labels.map { try std($0) }
        let steps = zip(stds, stds.dropFirst()).filter { $1 < $0 }.count
        let p = brownForsytheTest([try scores(labels.first!), try scores(labels.last!)])?.pValue ?? .nan
        let smaller = stds.last! < stds.first!
        let verdict: Verdict = steps == stds.count - 1 && p < Comparison.alpha ? .holds : (smaller ? .holdsInPart : .doesNotHold)
        return (verdict, "Standard deviations: \(spreads(labels, stds)); lower at \(steps) of \(stds.count - 1) steps; "
                + "Brown–Forsythe test of equal spread, `\(labels.first!)` against `\(labels.last!)`: \(pStatement(p)).")
    }

    /// Holds when the mean rises at every step of `labels` and the last is significantly above the first (Welch);
    /// holds in part when the last is above the first; does not hold otherwise.
    func rises(_ labels: [String]) throws -> (Verdict, String) {
        let values = try labels.map { try mean($0) }
        let steps = zip(values, values.dropFirst()).filter { $1 > $0 }.count
        let ends = try compare([(labels.last!, labels.first!)])[0]
        let verdict: Verdict = steps == values.count - 1 && ends.isSignificant && ends.meanDifference > 0 ? .holds
            : (ends.meanDifference > 0 ? .holdsInPart : .doesNotHold)
        return (verdict, "Means: \(try means(labels)); higher at \(steps) of \(values.count - 1) steps; "
                + "`\(labels.last!)` − `\(labels.first!)` = \(brief(ends)).")
    }

    /// Holds when `target` has the largest (or, with `largest` false, the smallest) standard deviation among `labels`
    /// and the spreads differ significantly (Brown–Forsythe over all of them); holds in part when it is the extreme
    /// but they do not; does not hold when it is not the extreme.
    func extremeSpread(_ target: String, among labels: [String], largest: Bool) throws -> (Verdict, String) {
        let stds = try labels.map { try std($0) }
        let order = stds.indices.sorted { stds[$0] < stds[$1] }
        let extreme = labels[largest ? order.last! : order.first!]
        let p = brownForsytheTest(try labels.map { try scores($0) })?.pValue ?? .nan
        let verdict: Verdict = extreme != target ? .doesNotHold : (p < Comparison.alpha ? .holds : .holdsInPart)
        return (verdict, "Standard deviations: \(spreads(labels, stds)); the \(largest ? "largest" : "smallest") is "
                + "`\(extreme)`; Brown–Forsythe test of equal spreads: \(pStatement(p)).")
    }

    /// "`label` 7.928" for each label and standard deviation.
    private func spreads(_ labels: [String], _ stds: [Double]) -> String {
        zip(labels, stds).map { "`\($0)` \(format3($1))" }.joined(separator: ", ")
    }

    /// Holds when `target` has the lowest median among `labels`; does not hold otherwise.
    func lowestMedian(_ target: String, among labels: [String]) throws -> (Verdict, String) {
        let medians = try labels.map { Description(try scores($0)).median }
        let lowest = labels[medians.indices.min { medians[$0] < medians[$1] }!]
        return (lowest == target ? .holds : .doesNotHold,
                "Medians: \(zip(labels, medians).map { "`\($0)` \(format3($1))" }.joined(separator: ", ")); the lowest is `\(lowest)`.")
    }

    /// Holds when every group's first label has the lowest mean of its group; holds in part when some do; does not
    /// hold when none does.
    func firstIsBest(inEach groups: [[String]]) throws -> (Verdict, String) {
        var best = 0
        var lines: [String] = []
        for group in groups {
            let values = try group.map { try mean($0) }
            let lowest = group[values.indices.min { values[$0] < values[$1] }!]
            if lowest == group[0] {
                best += 1
                lines.append("`\(lowest)` is the lowest of \(group.count) (\(format3(values[0])))")
            } else {
                lines.append("the lowest of \(group.count) is `\(lowest)` (\(format3(values.min()!))), not `\(group[0])` (\(format3(values[0])))")
            }
        }
        let verdict: Verdict = best == groups.count ? .holds : (best > 0 ? .holdsInPart : .doesNotHold)
        return (verdict, capitalized(lines.joined(separator: "; ")) + ".")
    }

    // MARK: Curves

    /// Holds when the mean curves of `label` show over-fitting (`CurveDiagnostics`) with an onset inside `window`;
    /// holds in part when the onset is outside it; does not hold when there is none.
    func overfits(_ label: String, within window: ClosedRange<Int>) throws -> (Verdict, String) {
        let d = try curve(label).diagnostics
        guard let onset = d.overfittingOnset else {
            return (.doesNotHold, "`\(label)`: no over-fitting onset; lowest mean test RMSE \(format3(d.bestTestRMSE)) at epoch \(d.bestEpoch).")
        }
        return (window.contains(onset) ? .holds : .holdsInPart,
                "`\(label)`: over-fitting onset at epoch \(onset) (window \(window.lowerBound)–\(window.upperBound)); "
                + "lowest mean test RMSE \(format3(d.bestTestRMSE)), final \(format3(d.finalTestRMSE)).")
    }

    /// Holds when the mean test curve of `label` shows no over-fitting and reaches its lowest in the last tenth of
    /// the epochs; holds in part when it shows no over-fitting but bottoms out earlier (a plateau); does not hold when
    /// it over-fits.
    func keepsFalling(_ label: String) throws -> (Verdict, String) {
        let summary = try curve(label)
        let d = summary.diagnostics
        let last = summary.epochs.last!
        let evidence = "`\(label)`: lowest mean test RMSE \(format3(d.bestTestRMSE)) at epoch \(d.bestEpoch) of \(last), "
            + "final \(format3(d.finalTestRMSE)); over-fitting onset \(d.overfittingOnset.map(String.init) ?? "none")."
        if d.overfittingOnset != nil { return (.doesNotHold, evidence) }
        return (Double(d.bestEpoch) >= 0.9 * Double(last) ? .holds : .holdsInPart, evidence)
    }

    /// Holds when the mean test RMSE of `label` at its last epoch is no more than 1.0 below its value at `epoch`
    /// (a plateau or a rise after it); does not hold when it keeps falling by more; not testable when the curves end
    /// at `epoch`.
    func plateausOrRises(_ label: String, after epoch: Int) throws -> (Verdict, String) {
        let summary = try curve(label)
        guard let index = summary.epochs.firstIndex(of: epoch), summary.epochs.last! > epoch else {
            throw NotTestable(reason: "The curves of `\(label)` do not go beyond epoch \(epoch).")
        }
        let change = summary.meanTest.last! - summary.meanTest[index]
        return (change >= -1 ? .holds : .doesNotHold,
                "`\(label)`: mean test RMSE \(format3(summary.meanTest[index])) at epoch \(epoch), "
                + "\(format3(summary.meanTest.last!)) at epoch \(summary.epochs.last!) (\(signed(change))).")
    }

    /// Each run's own over-fitting onset (`CurveDiagnostics` on the run's curves).
    func runOnsets(_ label: String) throws -> [Int?] {
        let summary = try curve(label)
        return summary.runCurves.map {
            CurveDiagnostics(epochs: summary.epochs, meanTrain: $0.train, meanTest: $0.test).overfittingOnset
        }
    }

    /// Each run's mean absolute change of test RMSE from one epoch to the next: how jagged its test curve is.
    func roughness(_ label: String) throws -> [Double] {
        let summary = try curve(label)
        guard summary.epochs.count >= 2 else {
            throw NotTestable(reason: "The runs of `\(label)` trained one epoch: their test RMSE has no epoch-to-epoch change.")
        }
        return summary.runCurves.map { run in
            sampleMean(zip(run.test, run.test.dropFirst()).map { abs($1 - $0) })
        }
    }

    /// The persistence forecast's test RMSE on our series and test size.
    func persistenceRMSE(_ label: String) throws -> Double {
        let testSize = try configuration(label).configuration.training(sharing: results.results.spec.training).testSize
        let forecast = try persistenceForecast(results.results.series, testSize: testSize)
        return rootMeanSquaredError(forecast.forecasts, forecast.observed)
    }
}

/// `−8.621 (95% CI −12.004 to −5.102, p = 0.0001)`: a comparison's difference, interval and decisive p-value.
func brief(_ c: Comparison) -> String {
    "\(signed(c.meanDifference)) (95% CI \(signed(c.intervalLower)) to \(signed(c.intervalUpper)), \(pStatement(c.decisivePValue)))"
}

/// "`A` − `B` −8.621 (…)" for each comparison.
func list(_ comparisons: [Comparison]) -> String {
    comparisons.map { "`\($0.labelA)` − `\($0.labelB)` \(brief($0))" }.joined(separator: ", ")
}
