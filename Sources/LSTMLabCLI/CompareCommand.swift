import Analysis
import ArgumentParser
import Lab

/// `lstmlab compare`: statistical comparison of configurations' final test RMSE.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare configurations' test RMSE: bootstrap CI, Welch t, Mann–Whitney U, Cohen's d.",
        discussion: "With only EXPERIMENT, every configuration is compared with the experiment's unregularized "
            + "baseline, with Holm's correction. With --a and --b, two configurations (--b-experiment takes B from "
            + "another experiment).")

    @Argument(help: "The experiment.")
    var experiment: String

    @Option(name: .long, help: "Configuration A's label.")
    var a: String?

    @Option(name: .long, help: "Configuration B's label.")
    var b: String?

    @Option(name: .customLong("b-experiment"), help: "The experiment of configuration B (default: EXPERIMENT).")
    var bExperiment: String?

    @OptionGroup var archiveOptions: ArchiveOptions

    func run() throws {
        let lab = try archiveOptions.openExisting()
        switch (a, b) {
        case (nil, nil):
            guard bExperiment == nil else { throw CommandFailure(message: "--b-experiment needs --a and --b") }
            let (results, comparisons) = try lab.comparisonsWithBaseline(experiment: experiment)
            warnIfIncomplete(results)
            print("Every configuration against \(results.baseline?.label ?? "the baseline") (Welch p-values Holm-adjusted over \(comparisons.count)):")
            print("")
            print(comparisonTable(comparisons))
            print("")
            for comparison in comparisons { print(comparison.verdict) }
        case (let labelA?, let labelB?):
            let comparison = try lab.compare(experiment: experiment, label: labelA, with: bExperiment ?? experiment,
                                             label: labelB)
            print(report(comparison))
        default:
            throw CommandFailure(message: "give both --a and --b, or neither")
        }
    }
}

/// Every statistic of a comparison, one per line, then the verdict.
func report(_ c: Comparison) -> String {
    let rows: [(String, String)] = [
        ("A", "\(c.labelA): n = \(c.sizeA), mean \(format3(c.meanA))"),
        ("B", "\(c.labelB): n = \(c.sizeB), mean \(format3(c.meanB))"),
        ("difference of means", "\(format3(c.meanDifference)) (A − B)"),
        ("\(Int((c.confidence * 100).rounded()))% bootstrap CI", "\(format3(c.intervalLower)) to \(format3(c.intervalUpper)) (\(c.bootstrapResamples) resamples, seed \(c.bootstrapSeed))"),
        ("Welch's t-test", "t = \(fixed(c.welchT, decimals: 4)), df = \(fixed(c.welchDegreesOfFreedom, decimals: 2)), \(pStatement(c.welchPValue))"),
        ("Mann–Whitney U", "U = \(fixed(c.mannWhitneyU, decimals: 1)), \(pStatement(c.mannWhitneyPValue)) (\(c.mannWhitneyMethod))"),
        ("Cohen's d", fixed(c.cohensD, decimals: 3)),
    ]
    let width = rows.map(\.0.count).max() ?? 0
    return (rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 } + ["verdict: \(c.verdict)"])
        .joined(separator: "\n")
}

/// The comparisons with a baseline as an aligned text table.
func comparisonTable(_ comparisons: [Comparison]) -> String {
    let header = comparisonColumnNames
    let rows = comparisons.map(comparisonCells)
    let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
    return ([header] + rows).map { row in
        row.indices.map { column in
            column == 0 ? row[column].padding(toLength: widths[column], withPad: " ", startingAt: 0)
                : String(repeating: " ", count: widths[column] - row[column].count) + row[column]
        }.joined(separator: "  ")
    }.joined(separator: "\n")
}
