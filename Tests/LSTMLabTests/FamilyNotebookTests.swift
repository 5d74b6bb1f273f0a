@testable import Analysis
import Experiment
import Foundation
import NeuralNetwork
import Testing
import TimeSeries

// MARK: - Synthetic results

/// `count` deterministic values of mean 0 and standard deviation 1 (a fixed pattern per seed, rescaled).
private func standardNoise(_ count: Int, seed: Int) -> [Double] {
    let raw = (0..<count).map { sin(Double($0 * 7919 + seed * 104_729) * 0.618_033_988_75) }
    let mean = sampleMean(raw), std = sampleVariance(raw).squareRoot()
    return raw.map { ($0 - mean) / std }
}

/// Scores with exactly this mean and standard deviation.
private func scores(_ mean: Double, _ std: Double, count: Int = 30, seed: Int) -> [Double] {
    standardNoise(count, seed: seed).map { mean + std * $0 }
}

/// A family experiment built in memory: configurations with custom labels and their scores (nothing trained).
private func familyResults(_ preset: String, _ profile: KerasProfile, _ configurations: [(String, [Double])])
    -> ProfileResults
{
    let name = "\(preset)-\(profile.name)"
    let spec = ExperimentSpec(name: name, preset: preset, seed: 1, repeats: configurations[0].1.count,
                              training: TrainingSettings(profile: profile, epochs: 1000),
                              configurations: configurations.map { ConfigurationSpec([], label: $0.0) })
    let results = try! ExperimentResults(
        name: name, spec: spec, productVersion: "test", series: .shampooSales(),
        configurations: configurations.enumerated().map { index, item in
            ConfigurationResults(experiment: name, configuration: spec.configurations[index], epochs: 1000,
                                 runIDs: item.1.indices.map { Int64(index * 1000 + $0 + 1) }, scores: item.1, failedCount: 0)
        })
    return ProfileResults(profile: profile, results: results)
}

private let inputLabels = ["0.0", "0.2", "0.4", "0.6"].map { "input dropout \($0)" }

/// The dropout experiment with these (mean, std) per input dropout rate 0.0, 0.2, 0.4, 0.6.
private func dropoutResults(_ statistics: [(Double, Double)], profile: KerasProfile = .keras2) -> ProfileResults {
    familyResults("dropout", profile, zip(inputLabels, statistics).enumerated().map { index, item in
        (item.0, scores(item.1.0, item.1.1, seed: index))
    })
}

/// As published: 0.4 best, every rate below no dropout, the spread shrinking.
private let publishedLikeDropout = [(97.6, 7.9), (89.4, 5.8), (88.9, 4.1), (89.8, 3.5)]
/// 0.4 clearly the worst, the spread growing.
private let zeroPointFourWorst = [(97.6, 3.0), (89.4, 4.0), (110.0, 5.0), (89.8, 8.0)]

/// Three runs of curves over 1000 epochs: train falling throughout; test falling to epoch 450 then rising
/// (`overfitting`), or falling throughout.
private func curves(_ label: String, overfitting: Bool) -> CurveSummary {
    let epochs = Array(1...1000)
    let runs = (0..<3).map { run -> (train: [Double], test: [Double]) in
        let offset = Double(run)
        let train = epochs.map { 140 - 0.05 * Double($0) + offset }
        let test = epochs.map { epoch -> Double in
            let e = Double(epoch)
            if !overfitting { return 150 - 0.04 * e + offset }
            return (epoch < 450 ? 150 - 0.1 * e : 105 + 0.02 * (e - 450)) + offset
        }
        return (train, test)
    }
    return CurveSummary(label: label, epochs: epochs, runCurves: runs)
}

private func verdict(_ notebook: FamilyNotebook, _ profile: KerasProfile = .keras2, claim: String) throws -> ClaimVerdict {
    let verdicts = try #require(notebook.verdicts().first { $0.profile == profile }).verdicts
    return try #require(verdicts.first { $0.claim == claim }, "no claim '\(claim)'")
}

private func study(_ preset: String) throws -> FamilyStudy { try #require(FamilyStudy.preset(preset)) }

private func markdown(_ files: [NotebookFile], _ path: String) throws -> String {
    try #require(files.first { $0.path == path }).contents
}

// MARK: - Tests

@Suite("Family notebooks: published tables beside ours, verdicts on the published conclusions")
struct FamilyNotebookTests {

    @Test("A study's notebook prints each published table verbatim, ours in the same format, and our box plots")
    func publishedTablesVerbatim() throws {
        let dropout = try study("dropout")
        let ours = dropoutResults(publishedLikeDropout)
        let files = FamilyNotebook(study: dropout, profiles: [ours]).render()
        let text = try markdown(files, "family-dropout.md")
        let published = try #require(dropout.published.table("input dropout"))
        #expect(text.contains("```text\n\(published.text)\n```"))
        #expect(text.contains("mean    97.578280   89.448450  88.957421  89.810789"))
        #expect(text.contains("mean    92.842537"))   // the baseline table
        let ourTable = describeTable(inputLabels.enumerated().map { index, label in
            (["0.0", "0.2", "0.4", "0.6"][index], Description(try! ours.results.configuration(label).scores))
        })
        #expect(text.contains("```text\n\(ourTable)\n```"))
        #expect(text.contains("- `dropout-keras3`: not among this study's experiments (`lstmlab study --profiles keras3` includes it)."))
        #expect(files.map(\.path).contains("figures/family-dropout-keras2-input-dropout-box.svg"))
        #expect(files.map(\.path).contains("figures/family-dropout-keras2-baseline-box.svg"))
        // No curves given: the section says so and draws nothing.
        #expect(text.contains("No curves were given for `dropout-keras2`."))
        #expect(!files.map(\.path).contains("figures/family-dropout-keras2-curves.svg"))
    }

    @Test("Published against ours: Welch's test from the published mean, std and count, Holm over the table's columns")
    func publishedAgainstOurs() throws {
        let dropout = try study("dropout")
        let ours = dropoutResults([(97.6, 7.9), (89.4, 5.8), (100.0, 4.1), (89.8, 3.5)])
        let table = dropout.tables[1]
        let comparisons = publishedComparisons(table, ours)
        #expect(comparisons.map(\.label) == inputLabels)
        let raw = table.mapped.map { column, label in
            let sample = try! ours.results.configuration(label).scores
            return welchTTest(meanA: sampleMean(sample), varianceA: sampleVariance(sample), countA: sample.count,
                              meanB: column.mean, varianceB: column.std * column.std, countB: column.count).pValue
        }
        #expect(comparisons.map(\.welchPValue) == raw)
        #expect(comparisons.map(\.adjustedPValue) == holmAdjusted(raw))
        // 0.4: ours 100.0 against the published 88.957421 ± 4.070037 over 30 is far off; 0.2 is not.
        #expect(comparisons[2].decisivePValue < 1e-6)
        #expect(comparisons[1].decisivePValue > 0.5)
        #expect(abs(comparisons[2].difference - (100.0 - 88.957421)) < 1e-9)
        let text = try markdown(FamilyNotebook(study: dropout, profiles: [ours]).render(), "family-dropout.md")
        #expect(text.contains("| 0.4 | 88.957421 ± 4.070037 (30) | 100.000 ± 4.100 (30) | +11.043 | "
                              + "\(formatPValue(comparisons[2].decisivePValue)) |"))
    }

    @Test("Input dropout: the verdicts follow the data (0.4 best, then 0.4 worst)")
    func dropoutVerdictsFlip() throws {
        let dropout = try study("dropout")
        let asPublished = FamilyNotebook(study: dropout, profiles: [dropoutResults(publishedLikeDropout)])
        let reversed = FamilyNotebook(study: dropout, profiles: [dropoutResults(zeroPointFourWorst)])
        let best = "40% input dropout has the best mean"
        #expect(try verdict(asPublished, claim: best).verdict == .holds)
        #expect(try verdict(reversed, claim: best).verdict == .doesNotHold)
        #expect(try verdict(reversed, claim: best).evidence.contains("`input dropout 0.4` is not the lowest: `input dropout 0.2` is"))
        let beats = "Every input dropout rate beats no dropout"
        #expect(try verdict(asPublished, claim: beats).verdict == .holds)
        #expect(try verdict(reversed, claim: beats).verdict == .holdsInPart)
        let spread = "The spread shrinks as input dropout rises"
        #expect(try verdict(asPublished, claim: spread).verdict == .holds)
        #expect(try verdict(reversed, claim: spread).verdict == .doesNotHold)
        let slightly = FamilyNotebook(study: dropout, profiles: [dropoutResults([(97.6, 8.6), (89.4, 8.3), (88.9, 8.1), (89.8, 8.0)])])
        #expect(try verdict(slightly, claim: spread).verdict == .holdsInPart)
        let barely = "20%, 40% and 60% input dropout barely differ"
        #expect(try verdict(asPublished, claim: barely).verdict == .holds)
        #expect(try verdict(reversed, claim: barely).verdict == .holdsInPart)
        let text = try markdown(reversed.render(), "family-dropout.md")
        #expect(text.contains("| 40% input dropout has the best mean | **does not hold** |"))
        #expect(text.contains("- 40% input dropout has the best mean: **does not hold**."))
    }

    @Test("Batch size: 'batch 4 has the largest spread' needs the largest std and a significant Brown–Forsythe test")
    func spreadVerdicts() throws {
        let batch = try study("batch")
        func results(_ stds: [Double]) -> FamilyNotebook {
            FamilyNotebook(study: batch, profiles: [familyResults("batch", .keras2, zip(["batch 1", "batch 2", "batch 4"], stds)
                .enumerated().map { index, item in (item.0, scores(100, item.1, seed: index)) })])
        }
        let claim = "Batch size 4 has the largest spread"
        #expect(try verdict(results([5, 5, 20]), claim: claim).verdict == .holds)
        #expect(try verdict(results([12, 11.5, 12.5]), claim: claim).verdict == .holdsInPart)
        #expect(try verdict(results([20, 5, 5]), claim: claim).verdict == .doesNotHold)
    }

    @Test("Runs shorter or fewer than the listing's are flagged in the notebook and the index; the listing's are not")
    func departuresFlagged() throws {
        let epochs = try study("epochs")
        func notebook(_ spec: ExperimentSpec) throws -> FamilyNotebook {
            let results = try ExperimentResults(
                name: spec.name, spec: spec, productVersion: "test", series: .shampooSales(),
                configurations: spec.configurations.enumerated().map { index, configuration in
                    ConfigurationResults(experiment: spec.name, configuration: configuration,
                                         epochs: configuration.training(sharing: spec.training).epochs,
                                         runIDs: (0..<spec.repeats).map { Int64(index * 100 + $0 + 1) },
                                         scores: scores(100, 5, count: spec.repeats, seed: index), failedCount: 0)
                })
            return FamilyNotebook(study: epochs, profiles: [ProfileResults(profile: .keras3, results: results)])
        }
        let listing = Preset.epochs.experiment(seed: 2017, repeats: 30, training: TrainingSettings(profile: .keras3))
        let faithful = try notebook(listing)
        #expect(faithful.departures.isEmpty)
        #expect(!(try markdown(faithful.render(), "family-epochs.md")).contains("Not the listing's runs"))
        var quick = listing.withLongestEpochs(12)
        quick.repeats = 3
        let flagged = try notebook(quick)
        #expect(flagged.departures == ["`epochs-keras3` trained 1 to 12 epochs where the listing trained 500 to 6000 epochs, "
                                       + "3 repeat(s) where it ran 30"])
        let warning = "**Not the listing's runs.** `epochs-keras3` trained 1 to 12 epochs where the listing trained 500 to "
            + "6000 epochs, 3 repeat(s) where it ran 30. The published tables and conclusions are set beside runs the post did "
            + "not make; the verdicts speak of these runs only."
        #expect(try markdown(flagged.render(), "family-epochs.md").contains("\n\(warning)\n"))
        #expect(FamilyIndex(profiles: [.keras3], notebooks: [flagged]).markdownLines.contains(warning))
        var units = listing
        units.training.units = 2
        #expect(try notebook(units).departures == ["`epochs-keras3` trained settings other than the listing's"])
    }

    @Test("Batch size 1's epoch-to-epoch variability is not testable on one-epoch curves")
    func oneEpochRoughness() throws {
        let batch = try study("batch")
        var results = familyResults("batch", .keras2, ["batch 1", "batch 2", "batch 4"].enumerated().map { index, label in
            (label, scores(100, 5, seed: index))
        })
        results.curves = ["batch 1", "batch 4"].map { label in
            CurveSummary(label: label, epochs: [1], runCurves: (0..<3).map { run in ([100 + Double(run)], [120 + Double(run)]) })
        }
        let claim = try verdict(FamilyNotebook(study: batch, profiles: [results]),
                                claim: "With batch size 1 the test RMSE is more variable from epoch to epoch")
        #expect(claim.verdict == .notTestable)
        #expect(claim.evidence == "The runs of `batch 1` trained one epoch: their test RMSE has no epoch-to-epoch change.")
    }

    @Test("Curve conclusions: checked on the curves given, not testable without them")
    func curveVerdicts() throws {
        let dropout = try study("dropout")
        let overfitClaim = "Without dropout, test RMSE turns up around epochs 400–500 while train RMSE keeps falling"
        let fallingClaim = "With 40% input dropout, test RMSE keeps falling through the last epoch"
        var ours = dropoutResults(publishedLikeDropout)
        #expect(try verdict(FamilyNotebook(study: dropout, profiles: [ours]), claim: fallingClaim).verdict == .notTestable)
        ours.curves = [curves(inputLabels[0], overfitting: true), curves(inputLabels[2], overfitting: false)]
        let notebook = FamilyNotebook(study: dropout, profiles: [ours])
        #expect(try verdict(notebook, claim: overfitClaim).verdict == .holds)
        #expect(try verdict(notebook, claim: fallingClaim).verdict == .holds)
        let files = notebook.render()
        #expect(files.map(\.path).contains("figures/family-dropout-keras2-curves.svg"))
        #expect(try markdown(files, "family-dropout.md").contains("| input dropout 0.0 | "))
        ours.curves = [curves(inputLabels[0], overfitting: false), curves(inputLabels[2], overfitting: true)]
        let swapped = FamilyNotebook(study: dropout, profiles: [ours])
        #expect(try verdict(swapped, claim: overfitClaim).verdict == .doesNotHold)
        #expect(try verdict(swapped, claim: fallingClaim).verdict == .doesNotHold)

        let recurrent = try study("recurrent-dropout")
        let plateau = "With 40% recurrent dropout, test RMSE plateaus or rises after about 500 epochs"
        func recurrentNotebook(_ curve: CurveSummary) -> FamilyNotebook {
            var results = familyResults("recurrent-dropout", .keras2, ["0.0", "0.2", "0.4", "0.6"].enumerated().map { index, rate in
                ("recurrent dropout \(rate)", scores(95, 6, seed: index))
            })
            results.curves = [curve]
            return FamilyNotebook(study: recurrent, profiles: [results])
        }
        let label = "recurrent dropout 0.4"
        #expect(try verdict(recurrentNotebook(curves(label, overfitting: true)), claim: plateau).verdict == .holds)
        #expect(try verdict(recurrentNotebook(curves(label, overfitting: false)), claim: plateau).verdict == .doesNotHold)
        let short = curves(label, overfitting: true)
        let cut = CurveSummary(label: label, epochs: Array(short.epochs.prefix(500)), runCurves: short.runCurves)
        let untested = try verdict(recurrentNotebook(cut), claim: plateau)
        #expect(untested.verdict == .notTestable)
        #expect(untested.evidence == "The curves of `recurrent dropout 0.4` do not go beyond epoch 500.")
    }

    @Test("Stateful against stateless: 'stateless beats stateful' and 'equal at batch 12' follow the data")
    func statelessVerdicts() throws {
        let stateless = try study("stateless")
        func results(stateful: Double, statelessMean: Double, batch12: (Double, Double)) -> FamilyNotebook {
            FamilyNotebook(study: stateless, profiles: [familyResults("stateless", .keras3, [
                ("stateful", scores(stateful, 7, count: 10, seed: 1)), ("stateful2", scores(stateful + 1, 8, count: 10, seed: 2)),
                ("stateless", scores(statelessMean, 2, count: 10, seed: 3)),
                ("stateless_shuffle", scores(statelessMean + 0.5, 2, count: 10, seed: 4)),
                ("stateful_batch12", scores(batch12.0, 3, count: 10, seed: 5)),
                ("stateless_batch12", scores(batch12.1, 3, count: 10, seed: 6)),
            ])])
        }
        let asPublished = results(stateful: 110, statelessMean: 95, batch12: (97.9, 97.5))
        let reversed = results(stateful: 95, statelessMean: 110, batch12: (90, 105))
        let beats = "Stateless beats stateful here", equal = "Stateful and stateless are equal at batch size 12"
        #expect(try verdict(asPublished, .keras3, claim: beats).verdict == .holds)
        #expect(try verdict(reversed, .keras3, claim: beats).verdict == .doesNotHold)
        #expect(try verdict(asPublished, .keras3, claim: equal).verdict == .holds)
        #expect(try verdict(reversed, .keras3, claim: equal).verdict == .doesNotHold)
        let regimes = try verdict(asPublished, .keras3, claim: "Resetting the state after each epoch helps; seeding from the training data gives no clear gain")
        #expect(regimes.verdict == .notTestable)
        let text = try markdown(asPublished.render(), "family-stateless.md")
        #expect(text.contains("Shown for reference: the preset runs none of these columns."))
        #expect(text.contains("noseed_1    noseed_2    noseed_3"))
    }

    @Test("Instability: a long right tail holds 'not Gaussian'; a left tail does not")
    func instabilityVerdicts() throws {
        let instability = try study("instability")
        let label = "results"
        let noise = standardNoise(100, seed: 9)
        let rightTail = noise.map { 95 + 4 * exp(1.2 * $0) }
        let leftTail = noise.map { 115 - 4 * exp(1.2 * $0) }
        let claim = "The results are not Gaussian: they are skewed, with a long right tail"
        let skewed = FamilyNotebook(study: instability, profiles: [familyResults("instability", .keras2, [(label, rightTail)])])
        let mirrored = FamilyNotebook(study: instability, profiles: [familyResults("instability", .keras2, [(label, leftTail)])])
        #expect(try verdict(skewed, claim: claim).verdict == .holds)
        #expect(try verdict(mirrored, claim: claim).verdict == .doesNotHold)
        let median = "The median is the better summary: the tail pulls the mean above the median"
        #expect(try verdict(skewed, claim: median).verdict == .holds)
        #expect(try verdict(mirrored, claim: median).verdict == .doesNotHold)
    }

    @Test("Seed state and the original model: the verdicts follow the data, against our own persistence RMSE")
    func seedStateAndOriginalVerdicts() throws {
        let seed = try study("seed-state")
        let claim = "Not seeding the state gives lower test RMSE"
        func seeded(_ with: Double, _ without: Double) -> FamilyNotebook {
            FamilyNotebook(study: seed, profiles: [familyResults("seed-state", .keras2, [
                ("with-seed", scores(with, 20, seed: 1)), ("without-seed", scores(without, 20, seed: 2)),
            ])])
        }
        #expect(try verdict(seeded(186, 146), claim: claim).verdict == .holds)
        #expect(try verdict(seeded(146, 186), claim: claim).verdict == .doesNotHold)
        #expect(try verdict(seeded(150, 146), claim: claim).verdict == .holdsInPart)

        let original = try study("original")
        let persistence = "The model may be no better than persistence (test RMSE 136.761)"
        func model(_ mean: Double, _ std: Double) -> FamilyNotebook {
            FamilyNotebook(study: original, profiles: [familyResults("original", .keras2, [("rmse", scores(mean, std, seed: 3))])])
        }
        #expect(try verdict(model(138.5, 46), claim: persistence).verdict == .holds)
        #expect(try verdict(model(135, 46), claim: persistence).verdict == .holdsInPart)
        let beaten = try verdict(model(90, 5), claim: persistence)
        #expect(beaten.verdict == .doesNotHold)
        #expect(beaten.evidence.contains("persistence 136.761"))
    }

    @Test("A conclusion whose configuration has no runs is not testable, and says which")
    func missingConfiguration() throws {
        let neurons = try study("neurons")
        let partial = familyResults("neurons", .keras2, [("neurons 1", scores(98, 13, seed: 1)), ("neurons 2", scores(103, 14, seed: 2))])
        let result = try verdict(FamilyNotebook(study: neurons, profiles: [partial]), claim: "Test RMSE rises with the number of neurons")
        #expect(result.verdict == .notTestable)
        #expect(result.evidence == "`neurons-keras2` has no finished run of `neurons 3`.")
        let text = try markdown(FamilyNotebook(study: neurons, profiles: [partial]).render(), "family-neurons.md")
        #expect(text.contains("| 3 | 102.726894 ± 12.905631 (30) | – | – | – |"))
    }

    @Test("Features: '1 feature is best' holds in each run, and not when 3 features win")
    func featuresVerdicts() throws {
        let features = try study("features")
        func results(best: Int) -> FamilyNotebook {
            let items = features.labels.enumerated().map { index, label -> (String, [Double]) in
                let count = Int(label.split(separator: " ")[1])!
                return (label, scores(count == best ? 100 : 130, 8, count: 10, seed: index))
            }
            return FamilyNotebook(study: features, profiles: [familyResults("features", .keras2, items)])
        }
        let claim = "1 feature is best (the lowest mean in each of the three runs)"
        let noBenefit = "Adding features gives no benefit: no feature count is significantly better than 1"
        #expect(try verdict(results(best: 1), claim: claim).verdict == .holds)
        #expect(try verdict(results(best: 3), claim: claim).verdict == .doesNotHold)
        #expect(try verdict(results(best: 1), claim: noBenefit).verdict == .holds)
        #expect(try verdict(results(best: 3), claim: noBenefit).verdict == .doesNotHold)
    }

    @Test("The notebook and the index are byte-identical across renders and whatever the order of the profiles")
    func deterministic() throws {
        let dropout = try study("dropout")
        var keras2 = dropoutResults(publishedLikeDropout, profile: .keras2)
        keras2.curves = [curves(inputLabels[0], overfitting: true), curves(inputLabels[2], overfitting: false)]
        let keras3 = dropoutResults(zeroPointFourWorst, profile: .keras3)
        let first = FamilyNotebook(study: dropout, profiles: [keras2, keras3])
        let second = FamilyNotebook(study: dropout, profiles: [keras3, keras2])
        #expect(first.render() == first.render())
        #expect(first.render() == second.render())
        let index = FamilyIndex(profiles: [.keras2, .keras3], notebooks: [first])
        #expect(index.render() == FamilyIndex(profiles: [.keras2, .keras3], notebooks: [second]).render())
        let text = try markdown(first.render(), "family-dropout.md")
        #expect(text.contains("The choice of profile changes at least one of these verdicts"))
        #expect(text.contains("| 40% input dropout has the best mean | **holds** | **does not hold** |"))
    }

    @Test("The index: published mean beside ours per profile, '–' where a profile is missing, and the verdicts")
    func index() throws {
        let dropout = try study("dropout"), seed = try study("seed-state")
        let keras2 = dropoutResults(publishedLikeDropout, profile: .keras2)
        let notebooks = [FamilyNotebook(study: dropout, profiles: [keras2]), FamilyNotebook(study: seed, profiles: [])]
        let lines = FamilyIndex(profiles: [.keras2, .keras3], notebooks: notebooks).markdownLines
        #expect(lines.first == "## The study family beside the published tables")
        #expect(lines.contains("### `dropout`: [How to Use Dropout with LSTM Networks for Time Series Forecasting](family-dropout.md)"))
        #expect(lines.contains("| input dropout | 0.4 | input dropout 0.4 | 88.96 ± 4.07 | 88.90 ± 4.10 | – |"))
        #expect(lines.contains("| baseline | results | input dropout 0.0 | 92.84 ± 5.75 | 97.60 ± 7.90 | – |"))
        #expect(lines.contains("| 40% input dropout has the best mean | holds | – |"))
        #expect(lines.contains("| with and without seeding | without-seed | without-seed | 146.60 ± 40.55 | – | – |"))
        #expect(lines.contains("| Not seeding the state gives lower test RMSE | – | – |"))
        #expect(lines.last == "")
    }
}

@Suite("Family statistics: skewness, D'Agostino's skewness test, one-sample and summary Welch t tests")
struct FamilyStatisticsTests {
    /// Expected values computed once with SciPy 1.17.1 (python3): `scipy.stats.skew(a)`, `scipy.stats.skewtest(a)`,
    /// `scipy.stats.ttest_1samp(a, 136.761)`.
    static let sample = [90.407323, 96.6308, 102.603908, 111.199574, 198.568771, 95.1, 99.8, 101.2, 104.7, 93.3,
                         97.9, 120.4]

    @Test("skewness and skewTest match SciPy, for a right tail and for a nearly symmetric sample")
    func skew() throws {
        #expect(abs(skewness(Self.sample) - 2.625562542310449) < 1e-12)
        let test = try #require(skewTest(Self.sample))
        #expect(abs(test.z - 3.93914545252654) < 1e-10)
        #expect(abs(test.pValue - 8.177234632496595e-05) / 8.177234632496595e-05 < 1e-8)
        let symmetric = [88.2, 91.5, 93.1, 90.4, 89.7, 92.6, 94.3, 90.9]
        #expect(abs(skewness(symmetric) - -0.05397606286269263) < 1e-12)
        let flat = try #require(skewTest(symmetric))
        #expect(abs(flat.z - -0.09097091653778334) < 1e-10)
        #expect(abs(flat.pValue - 0.9275157004509187) < 1e-10)
        #expect(skewTest(Array(symmetric.prefix(7))) == nil)
    }

    /// `scipy.stats.levene(a, b, c)` and `levene(a, b)` (center='median'), SciPy 1.17.1.
    @Test("brownForsytheTest matches SciPy's levene with its default median centre")
    func brownForsythe() throws {
        let b = [88.2, 91.5, 93.1, 90.4, 89.7, 92.6, 94.3, 90.9], c = [80.0, 95.5, 101.0, 120.2, 85.3, 99.9, 110.1]
        let three = try #require(brownForsytheTest([Self.sample, b, c]))
        #expect(abs(three.w - 1.0262753312430974) < 1e-12)
        #expect(abs(three.pValue - 0.37353552468714735) < 1e-12)
        let two = try #require(brownForsytheTest([Self.sample, b]))
        #expect(abs(two.w - 1.6063684432840204) < 1e-12)
        #expect(abs(two.pValue - 0.2211550974304523) < 1e-12)
        let shifted = try #require(brownForsytheTest([b, b.map { $0 + 1 }]))
        #expect(shifted.w == 0 && shifted.pValue == 1)
        #expect(brownForsytheTest([b]) == nil)
    }

    @Test("oneSampleTTest matches SciPy's ttest_1samp")
    func oneSample() {
        let test = oneSampleTTest(Self.sample, mean: 136.761)
        #expect(abs(test.t - -3.2481789849004805) < 1e-10)
        #expect(test.degreesOfFreedom == 11)
        #expect(abs(test.pValue - 0.007760306071521498) < 1e-12)
        #expect(oneSampleTTest([1], mean: 0).pValue.isNaN)
    }

    @Test("Welch's test from summary statistics matches SciPy's ttest_ind_from_stats and the test on samples")
    func welchFromStatistics() {
        let first = welchTTest(meanA: 97.578280, varianceA: 7.927639 * 7.927639, countA: 30,
                               meanB: 95.5, varianceB: 6.25 * 6.25, countB: 30)
        #expect(abs(first.t - 1.127603382117817) < 1e-10)
        #expect(abs(first.pValue - 0.26438235569636465) < 1e-10)
        let second = welchTTest(meanA: 107.051146, varianceA: 17.694512 * 17.694512, countA: 100,
                                meanB: 101.3, varianceB: 9.5 * 9.5, countB: 100)
        #expect(abs(second.t - 2.8636217186833908) < 1e-10)
        #expect(abs(second.pValue - 0.0047817245188073836) < 1e-12)
        let a = Self.sample, b = [88.2, 91.5, 93.1, 90.4, 89.7, 92.6, 94.3, 90.9]
        let fromSamples = welchTTest(a, b)
        let fromStatistics = welchTTest(meanA: sampleMean(a), varianceA: sampleVariance(a), countA: a.count,
                                        meanB: sampleMean(b), varianceB: sampleVariance(b), countB: b.count)
        #expect(fromSamples.t == fromStatistics.t && fromSamples.pValue == fromStatistics.pValue)
    }
}
