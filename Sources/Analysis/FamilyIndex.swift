import NeuralNetwork

/// The study family's section of the notebooks' `README.md`: for each study, every published column's mean beside
/// ours (mean ± std per profile) and the verdict on each published conclusion per profile, linking each study's
/// notebook. Fixed formats only (two decimals), no dates: the same results give the same bytes.
public struct FamilyIndex: Sendable {
    /// The profiles shown as columns, in order; a profile without results shows "–".
    public var profiles: [KerasProfile]
    public var notebooks: [FamilyNotebook]

    public init(profiles: [KerasProfile], notebooks: [FamilyNotebook]) {
        self.profiles = profiles
        self.notebooks = notebooks
    }

    /// The section's markdown lines, starting with its `##` heading and ending with a blank line.
    public var markdownLines: [String] {
        var md = ["## The study family beside the published tables", ""]
        md.append("The sister studies of the weight-regularization post, each run as a preset and set beside every table it "
                  + "published (Keras 2.0, 2017). Test RMSE in monthly sales, mean ± std over the repeats; the verdicts are "
                  + "explained, with their statistics, in each study's notebook.")
        md.append("")
        for notebook in notebooks {
            md.append(contentsOf: studyLines(notebook))
        }
        return md
    }

    /// The section alone as `family.md`.
    public func render() -> NotebookFile {
        var lines = markdownLines
        lines[0] = "# LSTMLab notebooks: the study family on Shampoo Sales"
        return NotebookFile(path: "family.md", contents: lines.joined(separator: "\n"))
    }

    private func studyLines(_ notebook: FamilyNotebook) -> [String] {
        let study = notebook.study
        let byProfile = profiles.map { profile in notebook.profiles.first { $0.profile == profile } }
        var md = ["### `\(study.preset)`: [\(study.published.title)](\(notebook.path))", "", "\(capitalized(study.summary)).", ""]
        if let warning = notebook.departureWarning { md.append(contentsOf: [warning, ""]) }
        md.append("| table | published column | configuration | published | " + profiles.map(\.name).joined(separator: " | ") + " |")
        md.append("|---|---|---|---:|" + String(repeating: "---:|", count: profiles.count))
        for table in study.tables {
            for (column, label) in table.mapped {
                let cells = byProfile.map { results -> String in
                    guard let scores = results?.configuration(label)?.scores else { return "–" }
                    let d = Description(scores)
                    return pair((d.mean, d.std))
                }
                md.append("| \(table.table.title) | \(column.name) | \(label) | \(pair((column.mean, column.std))) | "
                          + cells.joined(separator: " | ") + " |")
            }
        }
        md.append("")
        let verdicts = notebook.verdicts()
        md.append("| published conclusion | " + profiles.map(\.name).joined(separator: " | ") + " |")
        md.append("|---|" + String(repeating: "---|", count: profiles.count))
        for (index, claim) in study.claims.enumerated() {
            let cells = profiles.map { profile in
                verdicts.first { $0.profile == profile }.map { $0.verdicts[index].verdict.rawValue } ?? "–"
            }
            md.append("| \(claim.statement) | " + cells.joined(separator: " | ") + " |")
        }
        md.append("")
        return md
    }
}
