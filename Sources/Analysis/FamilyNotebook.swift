import Experiment
import NeuralNetwork

/// A study of the family beside our results: `family-<preset>.md` and its SVG figures under `figures/`. For each
/// published table, the table as published, ours in the same `describe()` format per profile, a box plot of our
/// scores and the published means tested against ours; the train/test curves where the post draws them; and a verdict
/// on each published conclusion per profile. Rendered from values only, so the same results give the same bytes.
public struct FamilyNotebook: Sendable {
    public var study: FamilyStudy
    /// Our results, one per profile that has the study's experiment, in `KerasProfile.allCases` order.
    public var profiles: [ProfileResults]

    /// `profiles` may be in any order and miss any profile; each must be of a different profile.
    public init(study: FamilyStudy, profiles: [ProfileResults]) {
        precondition(Set(profiles.map(\.profile)).count == profiles.count, "one result set per profile")
        self.study = study
        self.profiles = profiles.sorted {
            KerasProfile.allCases.firstIndex(of: $0.profile)! < KerasProfile.allCases.firstIndex(of: $1.profile)!
        }
    }

    /// The notebook's path in the notebooks folder.
    public var path: String { "family-\(study.preset).md" }

    /// The verdict on every published conclusion, per profile, in profile order.
    public func verdicts() -> [(profile: KerasProfile, verdicts: [ClaimVerdict])] {
        profiles.map { results in (results.profile, study.claims.map { $0.verdict(on: results) }) }
    }

    /// How each profile's experiment departs from its preset as shipped (a quick look with `lstmlab study --epochs` or
    /// `--repeats`, or other settings under the preset's name): "`epochs-keras3` trained 1 to 5 epochs where the
    /// listing trained 500 to 6000 epochs, …", one per profile that departs; empty when each is the listing's.
    public var departures: [String] {
        guard let preset = Preset(rawValue: study.preset) else { return [] }
        return profiles.compactMap { results in
            let spec = results.results.spec
            let listing = preset.experiment(seed: spec.seed, repeats: spec.repeats, training: TrainingSettings(profile: results.profile))
            let ours = spec.trainingSettings, theirs = listing.trainingSettings
            func span(_ settings: [TrainingSettings]) -> String {
                let epochs = settings.map(\.epochs)
                guard let low = epochs.min(), let high = epochs.max() else { return "no" }
                return low == high ? (low == 1 ? "1 epoch" : "\(low) epochs") : "\(low) to \(high) epochs"
            }
            func ignoringEpochs(_ settings: [TrainingSettings]) -> [TrainingSettings] {
                settings.map { var training = $0; training.epochs = 1; return training }
            }
            var parts: [String] = []
            if ours.map(\.epochs) != theirs.map(\.epochs) {
                parts.append("\(span(ours)) where the listing trained \(span(theirs))")
            }
            if spec.repeats != listing.repeats { parts.append("\(spec.repeats) repeat(s) where it ran \(listing.repeats)") }
            if spec.configurations.map(\.label) != listing.configurations.map(\.label) || ignoringEpochs(ours) != ignoringEpochs(theirs) {
                parts.append("settings other than the listing's")
            }
            return parts.isEmpty ? nil : "`\(spec.name)` trained " + parts.joined(separator: ", ")
        }
    }

    /// The warning shown when `departures` is not empty: the published numbers are set beside runs the post did not make.
    var departureWarning: String? {
        let departures = self.departures
        guard !departures.isEmpty else { return nil }
        return "**Not the listing's runs.** " + departures.joined(separator: "; ") + ". The published tables and "
            + "conclusions are set beside runs the post did not make; the verdicts speak of these runs only."
    }

    /// The notebook's markdown and figures.
    public func render() -> [NotebookFile] {
        var files: [NotebookFile] = []
        var md = header()
        for table in study.tables {
            md.append(contentsOf: tableSection(table, figures: &files))
        }
        if study.drawsCurves { md.append(contentsOf: curvesSection(figures: &files)) }
        md.append(contentsOf: conclusionsSection(verdicts()))
        files.append(NotebookFile(path: path, contents: md.joined(separator: "\n")))
        return files
    }

    private func header() -> [String] {
        let published = study.published, source = published.source
        var md = ["# `\(study.preset)`: \(published.title), published and reproduced", ""]
        md.append("Preset `\(study.preset)`: \(study.summary). The post: <\(source.originalURL)>; the listing whose console "
                  + "output the published tables copy: [`\(source.path)`](\(source.fileURL)) in `\(source.repository)` "
                  + "(commit `\(source.commit.prefix(12))`).")
        md.append("")
        md.append("Published numbers are from Keras 2.0 (2017). Test RMSE is in monthly sales. Our experiments:")
        md.append("")
        for profile in KerasProfile.allCases {
            let name = study.experimentName(profile)
            if let results = profiles.first(where: { $0.profile == profile })?.results {
                md.append("- [`\(name)`](\(name).md): \(profileDescription(profile)); \(results.finishedCount) finished runs"
                          + (results.incompleteness.map { " (\($0))" } ?? "") + ".")
            } else {
                md.append("- `\(name)`: not among this study's experiments (`lstmlab study --profiles \(profile.name)` includes it).")
            }
        }
        md.append("")
        if let departureWarning { md.append(contentsOf: [departureWarning, ""]) }
        return md
    }

    private func tableSection(_ table: MappedTable, figures: inout [NotebookFile]) -> [String] {
        var md = ["## \(capitalized(table.table.title))", "", "Published:", "", "```text", table.table.text, "```", ""]
        let mapped = table.mapped
        guard !mapped.isEmpty else {
            md.append("Shown for reference: the preset runs none of these columns.")
            md.append("")
            return md
        }
        let names = mapped.map { "`\($0.column.name)` = `\($0.label)`" }.joined(separator: ", ")
        md.append("Our configurations: \(names).")
        md.append("")
        for results in profiles {
            let present = mapped.compactMap { column, label in
                results.configuration(label).map { (column.name, $0) }
            }
            md.append("Ours, \(results.profile.name) (`\(results.results.name)`):")
            md.append("")
            guard !present.isEmpty else {
                md.append("No finished runs of these configurations.")
                md.append("")
                continue
            }
            md.append("```text")
            md.append(describeTable(present.map { ($0.0, Description($0.1.scores)) }))
            md.append("```")
            md.append("")
            let file = "figures/family-\(study.preset)-\(results.profile.name)-\(slug(table.table.title))-box.svg"
            figures.append(NotebookFile(path: file, contents: boxPlotSVG(
                title: "\(results.results.name): \(table.table.title), test RMSE per run",
                samples: present.map { ($0.0, $0.1.scores) })))
            md.append("![Box plot of our test RMSE, \(results.profile.name)](\(file))")
            md.append("")
        }
        if !profiles.isEmpty { md.append(contentsOf: publishedAgainstOurs(table)) }
        return md
    }

    /// Published mean ± std (n) beside ours in each profile, with Welch's test from the published statistics.
    private func publishedAgainstOurs(_ table: MappedTable) -> [String] {
        let byProfile = profiles.map { publishedComparisons(table, $0) }
        var header = "| column | published mean ± std (n)"
        var rule = "|---|---:"
        for results in profiles {
            header += " | \(results.profile.name) mean ± std (n) | Δ | Welch p (Holm)"
            rule += "|---:|---:|---:"
        }
        var md = ["Published against ours: Δ is our mean − the published mean; Welch's t test from the published mean, "
                  + "std and count against our runs, Holm-adjusted over the table's columns in each profile.", "",
                  header + " |", rule + "|"]
        for (column, label) in table.mapped {
            var row = "| \(column.name) | \(column.cells[1]) ± \(column.cells[2]) (\(column.count))"
            for comparisons in byProfile {
                if let c = comparisons.first(where: { $0.label == label }) {
                    row += " | \(format3(c.ours.mean)) ± \(format3(c.ours.std)) (\(c.ours.count)) | \(signed(c.difference)) | "
                        + formatPValue(c.decisivePValue)
                } else {
                    row += " | – | – | –"
                }
            }
            md.append(row + " |")
        }
        md.append("")
        return md
    }

    private func curvesSection(figures: inout [NotebookFile]) -> [String] {
        var md = ["## Train and test RMSE per epoch", ""]
        if !study.curveObservations.isEmpty {
            md.append("What the post saw in its curves:")
            md.append("")
            md.append(contentsOf: study.curveObservations.map { "- \($0)" })
            md.append("")
        }
        for results in profiles {
            let summaries = study.labels.compactMap { results.curve($0) }
            md.append("### \(results.profile.name)")
            md.append("")
            guard !summaries.isEmpty else {
                md.append("No curves were given for `\(results.results.name)`.")
                md.append("")
                continue
            }
            let file = "figures/family-\(study.preset)-\(results.profile.name)-curves.svg"
            figures.append(NotebookFile(path: file, contents: curvesSVG(
                title: "\(results.results.name): mean train and test RMSE per epoch",
                series: summaries.map { $0.chartSeries(faintRuns: 0) })))
            md.append("Mean train (dashed) and test (solid) RMSE after every epoch over the repeats, with interquartile bands.")
            md.append("")
            md.append("![Train and test RMSE per epoch, \(results.profile.name)](\(file))")
            md.append("")
            md.append(contentsOf: curveDiagnosticsMarkdown(summaries))
        }
        return md
    }

    private func conclusionsSection(_ verdicts: [(profile: KerasProfile, verdicts: [ClaimVerdict])]) -> [String] {
        var md = ["## Do the published conclusions hold?", ""]
        guard !verdicts.isEmpty else {
            md.append("No results to check them on.")
            md.append("")
            return md
        }
        md.append("Each conclusion is paraphrased from the post and checked on our runs by an explicit rule. p-values are "
                  + "Welch's t test with Holm's adjustment over the comparisons of one conclusion, with the 95% bootstrap "
                  + "interval of the difference; \"significantly\" means p < 0.05.")
        md.append("")
        md.append("| conclusion | " + verdicts.map(\.profile.name).joined(separator: " | ") + " |")
        md.append("|---|" + String(repeating: "---|", count: verdicts.count))
        for (index, claim) in study.claims.enumerated() {
            md.append("| \(claim.statement) | " + verdicts.map { "**\($0.verdicts[index].verdict.rawValue)**" }.joined(separator: " | ") + " |")
        }
        md.append("")
        for (profile, list) in verdicts {
            md.append("**\(profileDescription(profile))**")
            md.append("")
            md.append(contentsOf: list.map { "- \($0.claim): **\($0.verdict.rawValue)**. \($0.evidence)" })
            md.append("")
        }
        if verdicts.count > 1 {
            let first = verdicts[0].verdicts.map(\.verdict)
            let same = verdicts.dropFirst().allSatisfy { $0.verdicts.map(\.verdict) == first }
            md.append(same ? "The choice of profile does not change these verdicts."
                           : "The choice of profile changes at least one of these verdicts (compare the columns above).")
            md.append("")
        }
        return md
    }
}

/// A title with its first letter upper-cased (`input dropout` → `Input dropout`).
func capitalized(_ title: String) -> String { title.prefix(1).uppercased() + title.dropFirst() }

/// A title as a file-name part: lower-case letters and digits, other runs of characters as one `-`
/// (`neurons = features, 500 epochs` → `neurons-features-500-epochs`).
func slug(_ title: String) -> String {
    var result = ""
    for character in title.lowercased() {
        if character.isASCII && (character.isLetter || character.isNumber) {
            result.append(character)
        } else if !result.isEmpty && result.last != "-" {
            result.append("-")
        }
    }
    while result.hasSuffix("-") { result.removeLast() }
    return result
}
