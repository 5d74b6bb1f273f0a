@testable import Analysis
@testable import Archive
import Experiment
import Lab
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import NeuralNetwork
import Testing
import TimeSeries

// MARK: - Shared fixtures

/// One small `dynamics` experiment (4 configurations × 3 repeats × 60 epochs, keras2) trained once per test process
/// into a fresh temporary archive, shared by the tests of this file.
struct AnalysisArchiveFixture: Sendable {
    static let experiment = "dynamics-keras2"
    static let spec = Preset.dynamics.experiment(
        seed: 2017, repeats: 3, training: TrainingSettings(profile: .keras2, epochs: 60))

    let path: String
    let store: ArchiveStore

    private static let built = Result { try AnalysisArchiveFixture() }
    static func shared() throws -> AnalysisArchiveFixture { try built.get() }

    private init() throws {
        path = TestSupport.temporaryArchive()
        store = try ArchiveStore(path: path, create: true)
        let outcome = try Lab(store: store).run(try ExperimentPlan(spec: Self.spec, series: .shampooSales(), snapshotInterval: nil), jobs: 2)
        guard outcome.trained.count == Self.spec.runs.count, !outcome.interrupted else {
            throw FixtureFailure("the dynamics fixture trained \(outcome.trained.count) of \(Self.spec.runs.count) runs")
        }
    }

    /// Final test RMSE of the finished runs of one configuration, read straight from the archive's run records.
    func archivedScores(_ label: String) throws -> [Double] {
        let record = try store.experiment(named: Self.experiment)
        return try store.runs(experimentID: record.id!, status: .finished)
            .filter { $0.configurationLabel == label }
            .sorted { $0.repeatIndex < $1.repeatIndex }
            .compactMap(\.finalTestRMSE)
    }
}

/// An archive of problem experiments: `epochs-30` and `epochs-40` (the baseline, 2 repeats, 30 and 40 epochs) and
/// `never-trained`, registered but with no finished run (its training stopped before any run started; one run was
/// then begun and interrupted, another trained and recorded as failed).
struct ProblemArchiveFixture: Sendable {
    let path: String
    let store: ArchiveStore
    static let names = ["epochs-30", "epochs-40", "never-trained"]

    private static let built = Result { try ProblemArchiveFixture() }
    static func shared() throws -> ProblemArchiveFixture { try built.get() }

    private init() throws {
        path = TestSupport.temporaryArchive()
        store = try ArchiveStore(path: path, create: true)
        for epochs in [30, 40] {
            let spec = Preset.baseline.experiment(name: "epochs-\(epochs)", seed: 5, repeats: 2,
                                                  training: TrainingSettings(profile: .keras2, epochs: epochs))
            let outcome = try Lab(store: store).run(try ExperimentPlan(spec: spec, series: .shampooSales(), snapshotInterval: nil), jobs: 2)
            guard outcome.trained.count == 2 else { throw FixtureFailure("epochs-\(epochs) did not train") }
        }
        let training = TrainingSettings(profile: .keras2, epochs: 3)
        let spec = Preset.dynamics.experiment(name: "never-trained", seed: 5, repeats: 2, training: training)
        let stopped = try Lab(store: store).run(try ExperimentPlan(spec: spec, series: .shampooSales(), snapshotInterval: nil), jobs: 2, shouldStop: { true })
        guard stopped.trained.isEmpty, stopped.interrupted, stopped.notStarted == spec.runs.count else {
            throw FixtureFailure("shouldStop: { true } still trained \(stopped.trained.count) runs")
        }
        let experimentID = stopped.experiment.id!
        // One run begun and interrupted (as after Ctrl-C) …
        guard let interrupted = try store.beginRun(spec.runs[0], experimentID: experimentID) else {
            throw FixtureFailure("beginRun refused a run nobody holds")
        }
        try store.markInterrupted(runIDs: [interrupted])
        // … and one trained but recorded as failed (as when the loss becomes NaN).
        let failedTask = spec.runs[spec.repeats]
        guard let failedID = try store.beginRun(failedTask, experimentID: experimentID) else {
            throw FixtureFailure("beginRun refused a run nobody holds")
        }
        var result = try Trainer(series: .shampooSales(), training: training).train(failedTask)
        result.outcome = .failed(epoch: 2, reason: "loss became NaN")
        try store.finishRun(id: failedID, result: result)
    }
}

struct FixtureFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

// MARK: - SVG parsing (FoundationXML)

/// What a parsed SVG holds: its root element, a count of each element name, and every `<text>` with its content
/// (entities resolved) and attributes.
struct ParsedSVG {
    var root: String
    var elementCounts: [String: Int]
    var texts: [(content: String, attributes: [String: String])]

    var textContents: [String] { texts.map(\.content) }
    /// The chart title: the bold text.
    var title: String? { texts.first { $0.attributes["font-weight"] == "bold" }?.content }
}

private final class SVGCollector: NSObject, XMLParserDelegate {
    var root: String?
    var counts: [String: Int] = [:]
    var texts: [(content: String, attributes: [String: String])] = []
    var errors: [String] = []
    private var openText: String?
    private var openAttributes: [String: String] = [:]

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        if root == nil { root = elementName }
        counts[elementName, default: 0] += 1
        if elementName == "text" {
            openText = ""
            openAttributes = attributeDict
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if openText != nil { openText! += string }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?) {
        if elementName == "text", let text = openText {
            texts.append((text, openAttributes))
            openText = nil
        }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        errors.append("\(parseError)")
    }
}

/// Parses an SVG document with `XMLParser`; fails the test when it is not well-formed XML.
func parseSVG(_ svg: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> ParsedSVG {
    let parser = XMLParser(data: Data(svg.utf8))
    let collector = SVGCollector()
    parser.delegate = collector
    let parsed = parser.parse()
    try #require(parsed && collector.errors.isEmpty,
                 "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "") \(collector.errors)",
                 sourceLocation: sourceLocation)
    let root = try #require(collector.root, sourceLocation: sourceLocation)
    return ParsedSVG(root: root, elementCounts: collector.counts, texts: collector.texts)
}

// MARK: - Independent helpers

/// A centred moving average written the plain way (a loop over each window), independently of the sources.
private func naiveMovingAverage(_ values: [Double], window: Int) -> [Double] {
    let half = window / 2
    var smoothed: [Double] = []
    for index in values.indices {
        var sum = 0.0, count = 0
        for other in values.indices where abs(other - index) <= half {
            sum += values[other]
            count += 1
        }
        smoothed.append(sum / Double(count))
    }
    return smoothed
}

/// The index of the first smallest value.
private func firstMinimumIndex(_ values: [Double]) -> Int {
    var best = 0
    for index in values.indices where values[index] < values[best] { best = index }
    return best
}

/// Holm's step-down adjustment written from its definition (Holm 1979): sort ascending, multiply the i-th smallest
/// (0-based) by m − i, take the running maximum, cap at 1, and put the values back in input order.
private func referenceHolm(_ p: [Double]) -> [Double] {
    let m = p.count
    let order = p.indices.sorted { p[$0] < p[$1] }
    var adjusted = [Double](repeating: .nan, count: m)
    var running = 0.0
    for (i, index) in order.enumerated() {
        running = max(running, Double(m - i) * p[index])
        adjusted[index] = min(1, running)
    }
    return adjusted
}

/// Splits one CSV line into fields (RFC 4180 quoting).
func csvFields(_ line: String) -> [String] {
    var fields: [String] = [], field = "", quoted = false
    var characters = Array(line)[...]
    while let character = characters.popFirst() {
        if quoted {
            if character == "\"" {
                if characters.first == "\"" { field.append("\""); characters.removeFirst() } else { quoted = false }
            } else {
                field.append(character)
            }
        } else if character == "\"" {
            quoted = true
        } else if character == "," {
            fields.append(field)
            field = ""
        } else {
            field.append(character)
        }
    }
    fields.append(field)
    return fields
}

private func lines(_ text: String) -> [String] {
    text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
}

/// An experiment built in memory from scores per configuration (nothing trained, no archive).
private func syntheticResults(_ configurations: [(ConfigurationSpec, [Double])], epochs: Int = 10) -> ExperimentResults {
    let training = TrainingSettings(profile: .keras2, epochs: epochs)
    let spec = ExperimentSpec(name: "synthetic", preset: "custom", seed: 1, repeats: configurations[0].1.count,
                              training: training, configurations: configurations.map(\.0))
    return try! ExperimentResults(
        name: "synthetic", spec: spec, productVersion: "", series: .shampooSales(),
        configurations: configurations.enumerated().map { index, item in
            ConfigurationResults(experiment: "synthetic", configuration: item.0, epochs: epochs,
                                 runIDs: item.1.indices.map { Int64(index * 1000 + $0 + 1) }, scores: item.1,
                                 failedCount: 0)
        })
}

// MARK: - Tests

@Suite("Analysis: statistics of curves and boxes, tables, comparisons, SVG, CLI")
struct AnalysisTests {

    // MARK: Box statistics

    /// Expected values from matplotlib 3.11.2 `matplotlib.cbook.boxplot_stats(x, whis=1.5)` (the statistics
    /// `plt.boxplot` draws), run with python3 / numpy 2.4.6, and by hand:
    /// sorted x = 61.0, 88.2, 89.7, 90.4, 90.9, 91.5, 92.6, 93.1, 94.3, 120.0 (n = 10);
    /// Q1 at position 9·0.25 = 2.25 → 89.7 + 0.25·0.7 = 89.875; median at 4.5 → (90.9 + 91.5)/2 = 91.2;
    /// Q3 at 6.75 → 92.6 + 0.75·0.5 = 92.975 (= numpy.percentile(x, [25, 50, 75]), linear);
    /// IQR 3.1, fences 89.875 − 4.65 = 85.225 and 92.975 + 4.65 = 97.625 → whiskers 88.2 and 94.3, fliers 61, 120.
    @Test("BoxStatistics matches matplotlib's boxplot on a sample with an outlier at each end")
    func boxStatisticsMatchMatplotlib() {
        let sample = [88.2, 91.5, 93.1, 90.4, 120.0, 89.7, 92.6, 61.0, 94.3, 90.9]
        let box = BoxStatistics(sample)
        #expect(abs(box.q1 - 89.875) < 1e-12)
        #expect(abs(box.median - 91.2) < 1e-12)
        #expect(abs(box.q3 - 92.975) < 1e-12)
        #expect(box.lowerWhisker == 88.2)
        #expect(box.upperWhisker == 94.3)
        #expect(box.outliers == [61.0, 120.0])
    }

    /// matplotlib 3.11.2 `boxplot_stats([0, 4, 4, 8, 8, 14])`: q1 4, med 6, q3 8, whislo 0, whishi 14, no fliers —
    /// 14 lies exactly on the fence Q3 + 1.5·IQR = 8 + 6 and so is a whisker, not an outlier; a constant sample has
    /// every statistic equal to its value (`boxplot_stats([5, 5, 5])`).
    @Test("A point exactly on the 1.5 IQR fence is the whisker; a constant sample collapses")
    func boxStatisticsFenceIsInclusive() {
        let box = BoxStatistics([8, 0, 14, 4, 8, 4])
        #expect([box.q1, box.median, box.q3, box.lowerWhisker, box.upperWhisker] == [4, 6, 8, 0, 14])
        #expect(box.outliers.isEmpty)
        let constant = BoxStatistics([5, 5, 5])
        #expect([constant.q1, constant.median, constant.q3, constant.lowerWhisker, constant.upperWhisker] == [5, 5, 5, 5, 5])
        #expect(constant.outliers.isEmpty)
    }

    // MARK: Curve diagnostics

    @Test("U-shaped test curve with a falling train curve: onset at the smoothed minimum, not the raw one")
    func overfittingOnsetAtSmoothedMinimum() {
        let epochs = Array(1...200)
        let train = epochs.map { 10 + 50 * exp(-Double($0) / 40) }
        // A parabola with its minimum 30 at epoch 80, and a one-epoch dip at epoch 120 that is the raw minimum.
        var test = epochs.map { 30 + 0.002 * Double(($0 - 80) * ($0 - 80)) }
        test[119] -= 8   // epoch 120: 33.2 − 8 = 25.2
        let d = CurveDiagnostics(epochs: epochs, meanTrain: train, meanTest: test)

        #expect(d.bestEpoch == 120)
        #expect(d.bestTestRMSE == test[119])
        #expect(d.finalTestRMSE == test[199])
        #expect(d.finalTrainRMSE == train[199])
        #expect(abs(d.finalGap - (test[199] - train[199])) < 1e-12)

        // Independently: smooth with a plain 51-epoch centred window and take the first minimum.
        let smoothed = naiveMovingAverage(test, window: 51)
        let expected = epochs[firstMinimumIndex(smoothed)]
        // By hand: inside the window a parabola's moving average is the parabola plus a constant, and the dip
        // lowers epochs 95–145 by only 8/51 ≈ 0.16, less than the parabola's 0.002·15² = 0.45 at epoch 95.
        #expect(expected == 80)
        #expect(d.overfittingOnset == expected)
        // The smoothing matters here: the raw minimum is elsewhere.
        #expect(d.overfittingOnset != d.bestEpoch)
    }

    @Test("A test curve still falling at the end has no onset")
    func fallingTestCurveHasNoOnset() {
        let epochs = Array(1...200)
        let train = epochs.map { 10 + 50 * exp(-Double($0) / 40) }
        let test = epochs.map { 40 + 20 * exp(-Double($0) / 30) }
        let d = CurveDiagnostics(epochs: epochs, meanTrain: train, meanTest: test)
        #expect(d.overfittingOnset == nil)
        #expect(d.bestEpoch == 200)
        #expect(d.bestTestRMSE == test[199])
        #expect(d.finalGap == test[199] - train[199])
    }

    @Test("Both curves rising after the test minimum (or throughout) is not over-fitting")
    func bothRisingHasNoOnset() {
        let epochs = Array(1...200)
        // The same U-shaped test curve as above, but the train curve turns up too (minimum at epoch 60).
        let test = epochs.map { 30 + 0.002 * Double(($0 - 80) * ($0 - 80)) }
        let risingTrain = epochs.map { 10 + 0.001 * Double(($0 - 60) * ($0 - 60)) }
        let d = CurveDiagnostics(epochs: epochs, meanTrain: risingTrain, meanTest: test)
        #expect(d.overfittingOnset == nil)
        #expect(d.bestEpoch == 80)
        #expect(d.bestTestRMSE == 30)
        // With a falling train curve the same test curve does show the onset: the train condition decided it.
        let fallingTrain = epochs.map { 10 + 50 * exp(-Double($0) / 40) }
        #expect(CurveDiagnostics(epochs: epochs, meanTrain: fallingTrain, meanTest: test).overfittingOnset == 80)

        // Both rising from the first epoch.
        let upTrain = epochs.map { 10 + 0.05 * Double($0) }, upTest = epochs.map { 20 + 0.1 * Double($0) }
        let up = CurveDiagnostics(epochs: epochs, meanTrain: upTrain, meanTest: upTest)
        #expect(up.overfittingOnset == nil)
        #expect(up.bestEpoch == 1)
        #expect(abs(up.finalGap - (upTest[199] - upTrain[199])) < 1e-12)
    }

    @Test("The onset needs the smoothed test RMSE to rise by at least 1.0")
    func onsetNeedsMinimumRise() {
        let epochs = Array(1...200)
        let train = epochs.map { 10 + 50 * exp(-Double($0) / 40) }
        for curvature in [0.00005, 0.0001] {
            let test = epochs.map { 30 + curvature * Double(($0 - 80) * ($0 - 80)) }
            let smoothed = naiveMovingAverage(test, window: 51)
            let smoothedTrain = naiveMovingAverage(train, window: 51)
            let minimum = firstMinimumIndex(smoothed)
            let rise = smoothed[199] - smoothed[minimum]
            let expected: Int? = rise >= 1.0 && smoothedTrain[199] < smoothedTrain[minimum] ? epochs[minimum] : nil
            #expect(CurveDiagnostics(epochs: epochs, meanTrain: train, meanTest: test).overfittingOnset == expected,
                    "curvature \(curvature), smoothed rise \(rise)")
        }
        // The two curvatures fall on either side of the threshold (rises ≈ 0.58 and ≈ 1.15).
        let rises = [0.00005, 0.0001].map { c -> Double in
            let s = naiveMovingAverage(epochs.map { 30 + c * Double(($0 - 80) * ($0 - 80)) }, window: 51)
            return s[199] - s[firstMinimumIndex(s)]
        }
        #expect(rises[0] < 1 && rises[1] >= 1)
    }

    @Test("CurveSummary: per-epoch means and interquartile bands over runs")
    func curveSummaryOfSyntheticRuns() {
        func run(_ id: Int64, _ train: [Double], _ test: [Double]) -> [EpochRecord] {
            train.indices.map { EpochRecord(epoch: $0 + 1, trainRMSE: train[$0], testRMSE: test[$0], loss: 0) }
        }
        let summary = CurveSummary(label: "x", curves: [
            run(1, [10, 8], [40, 30]),
            run(2, [20, 6], [50, 36]),
            run(3, [40, 4], [90, 33]),
        ])
        #expect(summary.epochs == [1, 2])
        // Epoch 1 train: 10, 20, 40 → mean 70/3; sorted quartiles at positions 0.5 and 1.5 → 15 and 30.
        #expect(abs(summary.meanTrain[0] - 70.0 / 3) < 1e-12)
        #expect(summary.trainQuartiles.low == [15, 5])
        #expect(summary.trainQuartiles.high == [30, 7])
        // Epoch 2 test: 30, 36, 33 → mean 33; sorted 30, 33, 36 → 31.5 and 34.5.
        #expect(summary.meanTest[1] == 33)
        #expect(summary.testQuartiles.low == [45, 31.5])
        #expect(summary.testQuartiles.high == [70, 34.5])
        #expect(summary.diagnostics.bestEpoch == 2)
        #expect(summary.runCurves.count == 3)
    }

    // MARK: Summary table

    @Test("SummaryTable equals describe() of the archived scores; csv and markdown carry the same numbers")
    func summaryTableFromArchive() throws {
        let fixture = try AnalysisArchiveFixture.shared()
        let results = try Lab(store: fixture.store).results(of: AnalysisArchiveFixture.experiment)
        let table = SummaryTable(results)
        let labels = AnalysisArchiveFixture.spec.configurations.map(\.label)
        #expect(table.experiment == AnalysisArchiveFixture.experiment)
        #expect(table.columns.map(\.configuration) == labels)
        for column in table.columns {
            let scores = try fixture.archivedScores(column.configuration)
            #expect(scores.count == AnalysisArchiveFixture.spec.repeats)
            #expect(column.description == Description(scores))
            // Independently of Description: count, mean, extremes.
            #expect(column.description.count == scores.count)
            #expect(abs(column.description.mean - scores.reduce(0, +) / Double(scores.count)) < 1e-9)
            #expect(column.description.min == scores.min() && column.description.max == scores.max())
        }

        // csv: a header, then one row per configuration with every statistic at full precision.
        let csv = lines(table.csv)
        #expect(csv.first == "configuration,count,mean,std,min,25%,50%,75%,max")
        #expect(csv.count == 1 + labels.count)
        for (row, column) in zip(csv.dropFirst(), table.columns) {
            let fields = csvFields(row)
            try #require(fields.count == 9, "row \(row)")
            #expect(fields[0] == column.configuration)
            #expect(row.hasPrefix("\""), "a label with a comma is quoted: \(row)")
            #expect(Int(fields[1]) == column.description.count)
            let d = column.description
            #expect(fields[2...].map { Double($0) } == [d.mean, d.std, d.min, d.q25, d.median, d.q75, d.max])
        }

        // markdown: a header, a rule, one row per configuration; every RMSE with exactly 3 decimals.
        let markdown = lines(table.markdown)
        #expect(markdown.count == 2 + labels.count)
        #expect(markdown[0] == "| configuration | count | mean | std | min | 25% | 50% | 75% | max |")
        for (row, column) in zip(markdown.dropFirst(2), table.columns) {
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            try #require(cells.count == 9, "row \(row)")
            #expect(cells[0] == column.configuration)
            #expect(cells[1] == "\(column.description.count)")
            let d = column.description
            for (cell, value) in zip(cells[2...], [d.mean, d.std, d.min, d.q25, d.median, d.q75, d.max]) {
                #expect(cell.wholeMatch(of: /[0-9]+\.[0-9]{3}/) != nil, "\(cell) is not a 3-decimal number")
                #expect(cell == String(format: "%.3f", value))
            }
        }

        // text: pandas's describe() layout, 9 lines per block of at most 4 configurations.
        #expect(lines(table.text).count == 9)
    }

    // MARK: Comparisons

    @Test("compareWithBaseline: Holm-adjusted p-values of the raw Welch p-values, in configuration order")
    func compareWithBaselineAppliesHolmOnArchive() throws {
        let fixture = try AnalysisArchiveFixture.shared()
        let results = try Lab(store: fixture.store).results(of: AnalysisArchiveFixture.experiment)
        let comparisons = try compareWithBaseline(results)
        let baseline = try #require(results.baseline)
        let others = results.configurations.filter { !$0.configuration.isBaseline }
        #expect(comparisons.map(\.labelA) == others.map(\.label))
        #expect(comparisons.allSatisfy { $0.labelB == baseline.label })
        // The raw p-values are Welch's test of each configuration's scores against the baseline's.
        for (comparison, other) in zip(comparisons, others) {
            #expect(comparison.welchPValue == welchTTest(other.scores, baseline.scores).pValue)
            #expect(comparison.adjustment == "Holm")
            #expect(comparison.verdict.contains("Holm-adjusted"))
        }
        let raw = comparisons.map(\.welchPValue)
        let adjusted = comparisons.compactMap(\.adjustedPValue)
        #expect(adjusted.count == comparisons.count)
        #expect(adjusted == holmAdjusted(raw))
        #expect(largestDifference(adjusted, referenceHolm(raw)) < 1e-15)
    }

    /// Scores chosen so the raw p-values are far apart and not in ascending order of configuration.
    @Test("compareWithBaseline on an in-memory experiment: Holm in input order; no baseline is an error")
    func compareWithBaselineAppliesHolmInOrder() throws {
        let base = [100.0, 102, 98, 101, 99, 100.5]
        let results = syntheticResults([
            (.single(.bias, L1L2(l1: 0.01, l2: 0)), base.map { $0 + 0.3 }),       // no real difference
            (.baseline, base),
            (.single(.kernel, L1L2(l1: 0.01, l2: 0.01)), base.map { $0 - 12 }.enumerated().map { $0.element + Double($0.offset % 2) }),
            (.single(.recurrent, L1L2(l1: 0.01, l2: 0)), base.map { $0 + 2.5 }.enumerated().map { $0.element - Double($0.offset % 3) }),
        ])
        let comparisons = try compareWithBaseline(results)
        #expect(comparisons.map(\.labelA) == ["bias L1L2(0.01,0.00)", "kernel L1L2(0.01,0.01)", "recurrent L1L2(0.01,0.00)"])
        let raw = comparisons.map(\.welchPValue)
        #expect(!(raw[0] <= raw[1] && raw[1] <= raw[2]), "the raw p-values should not already be sorted: \(raw)")
        let adjusted = comparisons.compactMap(\.adjustedPValue)
        #expect(adjusted == holmAdjusted(raw))
        #expect(largestDifference(adjusted, referenceHolm(raw)) < 1e-15)
        #expect(zip(adjusted, raw).allSatisfy { $0 >= $1 })

        let noBaseline = syntheticResults([(.single(.bias, L1L2(l1: 0.01, l2: 0)), base)])
        #expect(throws: AnalysisError.noBaseline(experiment: "synthetic")) { try compareWithBaseline(noBaseline) }
    }

    // MARK: SVG

    @Test("The box plot and the curves chart are well-formed SVG with a title, axis labels and a legend")
    func chartsAreValidSVG() throws {
        let fixture = try AnalysisArchiveFixture.shared()
        let results = try Lab(store: fixture.store).results(of: AnalysisArchiveFixture.experiment)

        let boxTitle = "\(results.name): test RMSE over 3 repeats"
        let box = try parseSVG(boxPlotSVG(title: boxTitle, samples: results.configurations.map { ($0.label, $0.scores) }))
        #expect(box.root == "svg")
        #expect(box.title == boxTitle)
        #expect(box.textContents.contains("test RMSE (monthly sales)"))
        #expect(box.textContents.contains("configuration"))
        #expect(box.textContents.contains("median"))   // the legend
        for configuration in results.configurations { #expect(box.textContents.contains(configuration.label)) }
        #expect(box.elementCounts["rect", default: 0] >= 1 + results.configurations.count + 1)   // background, boxes, legend

        let summaries = try results.configurations.map { try Lab(store: fixture.store).curveSummary(of: $0) }
        let curvesTitle = "\(results.name): mean train and test RMSE per epoch"
        let curves = try parseSVG(curvesSVG(title: curvesTitle, series: summaries.map { $0.chartSeries(faintRuns: 2) }))
        #expect(curves.root == "svg")
        #expect(curves.title == curvesTitle)
        #expect(curves.textContents.contains("epoch"))
        #expect(curves.textContents.contains("RMSE (monthly sales)"))
        for summary in summaries { #expect(curves.textContents.contains("\(summary.label) test")) }   // the legend
        #expect(curves.textContents.contains("dashed: train; bands: IQR over repeats"))
        // A mean train and test line per configuration, plus two faint lines per drawn run.
        #expect(curves.elementCounts["polyline"] == summaries.count * (2 + 2 * 2))
        #expect(curves.elementCounts["polygon"] == summaries.count * 2)
    }

    @Test("Labels and titles with & < > ' \" are escaped: the SVG parses and the text comes back intact")
    func svgEscapesSpecialCharacters() throws {
        let label = "a <&> b \"q\" 'r'"
        let title = "R&D <draft>"
        let svg = boxPlotSVG(title: title, samples: [(label, [1, 2, 3, 4]), ("plain", [2, 3, 4, 9])])
        #expect(svg.contains("a &lt;&amp;&gt; b"))
        #expect(!svg.contains("<&>"))
        let parsed = try parseSVG(svg)
        #expect(parsed.title == title)
        #expect(parsed.textContents.contains(label))

        // More than four boxes: rotated labels, still well-formed.
        let many = (0..<6).map { ("config <\($0)> & more", [Double($0), Double($0) + 1, Double($0) + 3]) }
        let rotated = try parseSVG(boxPlotSVG(title: "six & more", samples: many))
        for (name, _) in many { #expect(rotated.textContents.contains(name)) }
        #expect(rotated.texts.contains { $0.content == many[0].0 && ($0.attributes["transform"] ?? "").hasPrefix("rotate(") })

        let series = CurveSeries(label: "<&>", epochs: [1, 2, 3], meanTrain: [3, 2, 1], meanTest: [4, 3, 3.5],
                                 trainBand: ([2.5, 1.5, 0.5], [3.5, 2.5, 1.5]), testBand: ([3.5, 2.5, 3], [4.5, 3.5, 4]),
                                 runs: [])
        let curves = try parseSVG(curvesSVG(title: "t&t", series: [series]))
        #expect(curves.title == "t&t")
        #expect(curves.textContents.contains("<&> test"))
    }

    // MARK: Bad input through the Swift API

    @Test("Unknown experiment, unknown configuration, no finished runs, different epochs: typed errors")
    func badInputThroughTheAPI() throws {
        let fixture = try ProblemArchiveFixture.shared()
        let store = fixture.store
        #expect(throws: ArchiveError.unknownExperiment("nosuch", known: ProblemArchiveFixture.names)) {
            try Lab(store: store).results(of: "nosuch")
        }

        let e30 = try Lab(store: store).results(of: "epochs-30")
        let e40 = try Lab(store: store).results(of: "epochs-40")
        #expect(throws: AnalysisError.unknownConfiguration("nosuch", experiment: "epochs-30", known: ["L1L2(0.00,0.00)"])) {
            try e30.configuration("nosuch")
        }

        // Every run of `never-trained` was interrupted or failed.
        let record = try store.experiment(named: "never-trained")
        let statuses = try store.runs(experimentID: record.id!).map(\.status)
        #expect(Set(statuses) == [.interrupted, .failed])
        #expect(throws: AnalysisError.noFinishedRuns(experiment: "never-trained")) {
            try Lab(store: store).results(of: "never-trained")
        }

        let label = ConfigurationSpec.baseline.label
        #expect(e30.configurations[0].epochs == 30 && e40.configurations[0].epochs == 40)
        #expect(throws: AnalysisError.epochMismatch(label, 30, label, 40)) {
            try compareConfigurations(e30.configuration(label), e40.configuration(label))
        }
        #expect(throws: AnalysisError.epochMismatch(label, 40, label, 30)) {
            try compareConfigurations(e40.configuration(label), e30.configuration(label))
        }
        // The same numbers of epochs compare fine, across experiments too (labels then name the experiments).
        let same = try compareConfigurations(e30.configuration(label), e30.configuration(label))
        #expect(same.labelA == label)
        for error in [AnalysisError.noFinishedRuns(experiment: "x"), .epochMismatch(label, 30, label, 40),
                      .unknownConfiguration("n", experiment: "e", known: ["a"]), .noBaseline(experiment: "e")] {
            #expect(!error.description.contains("\n"))
        }
    }

    // MARK: Bad input through the CLI

    /// Runs lstmlab and expects a failure with exactly one line on stderr containing `message`.
    private func expectOneLineFailure(_ arguments: [String], _ message: String,
                                      sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try TestSupport.runLSTMLab(arguments)
        #expect(result.status != 0, "\(arguments) succeeded", sourceLocation: sourceLocation)
        let errorLines = result.stderr.split(separator: "\n")
        #expect(errorLines.count == 1, "stderr: \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(message), "stderr: \(result.stderr)", sourceLocation: sourceLocation)
    }

    @Test("CLI: unknown experiment, unknown configuration, no finished runs, different epochs → one error line")
    func badInputThroughTheCLI() throws {
        let fixture = try ProblemArchiveFixture.shared()
        let archive = fixture.path
        let label = ConfigurationSpec.baseline.label
        try expectOneLineFailure(["summary", "nosuch", "--archive", archive],
                                 ArchiveError.unknownExperiment("nosuch", known: ProblemArchiveFixture.names).description)
        try expectOneLineFailure(["compare", "epochs-30", "--a", "nosuch", "--b", label, "--archive", archive],
                                 AnalysisError.unknownConfiguration("nosuch", experiment: "epochs-30", known: [label]).description)
        try expectOneLineFailure(["curves", "--experiment", "epochs-30", "--configuration", "kernel <nosuch>",
                                  "--output", TestSupport.temporaryArchive() + ".svg", "--archive", archive],
                                 "no configuration 'kernel <nosuch>'")
        let noRuns = AnalysisError.noFinishedRuns(experiment: "never-trained").description
        try expectOneLineFailure(["summary", "never-trained", "--archive", archive], noRuns)
        try expectOneLineFailure(["compare", "never-trained", "--archive", archive], noRuns)
        let notebooks = try TestSupport.temporaryDirectory().appendingPathComponent("notebooks")
        try expectOneLineFailure(["notebook", "never-trained", "--directory", notebooks.path, "--archive", archive], noRuns)
        #expect(!FileManager.default.fileExists(atPath: notebooks.appendingPathComponent("never-trained.md").path))
        try expectOneLineFailure(["compare", "epochs-30", "--a", label, "--b", label, "--b-experiment", "epochs-40",
                                  "--archive", archive],
                                 AnalysisError.epochMismatch(label, 30, label, 40).description)
    }

    @Test("CLI: summary, curves, compare and notebook on a missing archive fail and create nothing")
    func missingArchive() throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("lstmlab-tests-missing-\(UUID().uuidString)", isDirectory: true)
        let archive = folder.appendingPathComponent("archive.sqlite").path
        let message = ArchiveError.missingArchive(path: archive).description
        let svg = try TestSupport.temporaryDirectory().appendingPathComponent("curves.svg").path
        let notebooks = try TestSupport.temporaryDirectory().appendingPathComponent("nb").path
        try expectOneLineFailure(["summary", "dynamics-keras2", "--archive", archive], message)
        try expectOneLineFailure(["summary", "dynamics-keras2", "--format", "csv", "--plot", svg, "--archive", archive],
                                 message)
        try expectOneLineFailure(["curves", "--experiment", "dynamics-keras2", "--output", svg, "--archive", archive],
                                 message)
        try expectOneLineFailure(["compare", "dynamics-keras2", "--archive", archive], message)
        try expectOneLineFailure(["notebook", "dynamics-keras2", "--directory", notebooks, "--archive", archive], message)
        #expect(!FileManager.default.fileExists(atPath: archive))
        #expect(!FileManager.default.fileExists(atPath: folder.path))
        #expect(!FileManager.default.fileExists(atPath: svg))
        #expect(!FileManager.default.fileExists(atPath: notebooks))
    }

    // MARK: CLI smoke tests

    @Test("CLI curves writes a parseable SVG and prints one diagnostics line per configuration")
    func curvesCommand() throws {
        let fixture = try AnalysisArchiveFixture.shared()
        let name = AnalysisArchiveFixture.experiment
        let output = try TestSupport.temporaryDirectory().appendingPathComponent("curves.svg").path
        let result = try TestSupport.runLSTMLab(["curves", "--experiment", name, "--archive", fixture.path,
                                                 "--output", output])
        try #require(result.status == 0, "stderr: \(result.stderr)")
        let svg = try parseSVG(String(contentsOfFile: output, encoding: .utf8))
        #expect(svg.title == "\(name): mean train and test RMSE per epoch")
        #expect(svg.textContents.contains("epoch"))

        let results = try Lab(store: fixture.store).results(of: name)
        let printed = lines(result.stdout)
        #expect(printed.first == "configuration\tbest_epoch\tbest_test_rmse\tfinal_test_rmse\tfinal_train_rmse\tfinal_gap\toverfitting_onset")
        #expect(printed.count == 1 + results.configurations.count)
        for (line, configuration) in zip(printed.dropFirst(), results.configurations) {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            try #require(fields.count == 7, "line \(line)")
            #expect(fields[0] == configuration.label)
            // The numbers are those of the mean curves computed here from the archived epochs.
            let curves = try configuration.runIDs.map { try fixture.store.curve(runID: $0) }
            let epochs = curves[0].map(\.epoch)
            let meanTest = epochs.indices.map { i in curves.map { $0[i].testRMSE }.reduce(0, +) / Double(curves.count) }
            let meanTrain = epochs.indices.map { i in curves.map { $0[i].trainRMSE }.reduce(0, +) / Double(curves.count) }
            let best = firstMinimumIndex(meanTest)
            #expect(fields[1] == "\(epochs[best])")
            #expect(fields[2] == String(format: "%.3f", meanTest[best]))
            #expect(fields[3] == String(format: "%.3f", meanTest.last!))
            #expect(fields[4] == String(format: "%.3f", meanTrain.last!))
            #expect(fields[6] == "none" || Int(fields[6]) != nil)
        }
        #expect(result.stderr.contains("curves written to \(output)"))
    }

    @Test("CLI compare prints one verdict line per non-baseline configuration")
    func compareCommand() throws {
        let fixture = try AnalysisArchiveFixture.shared()
        let name = AnalysisArchiveFixture.experiment
        let result = try TestSupport.runLSTMLab(["compare", name, "--archive", fixture.path])
        try #require(result.status == 0, "stderr: \(result.stderr)")
        let printed = lines(result.stdout)
        let results = try Lab(store: fixture.store).results(of: name)
        let others = results.configurations.filter { !$0.configuration.isBaseline }
        // A title, the table (a header and one row per configuration), then one verdict per configuration.
        #expect(printed.count == 2 + 2 * others.count)
        #expect(printed.first?.hasPrefix("Every configuration against L1L2(0.00,0.00)") == true)
        let comparisons = try compareWithBaseline(results)
        #expect(Array(printed.suffix(others.count)) == comparisons.map(\.verdict))
        let table = Array(printed.dropFirst(2).prefix(others.count))
        for (row, comparison) in zip(table, comparisons) {
            #expect(row.hasPrefix(comparison.labelA), "\(row)")
            #expect(row.contains(formatPValue(comparison.adjustedPValue!)), "\(row)")
            #expect(row.contains(formatPValue(comparison.mannWhitneyPValue)), "\(row)")
        }
        for (line, other) in zip(printed.suffix(others.count), others) {
            #expect(line.contains(other.label) && line.contains("Holm-adjusted"), "\(line)")
        }
    }

    @Test("CLI summary --format csv prints the table's csv; --plot writes a parseable box plot")
    func summaryCommand() throws {
        let fixture = try AnalysisArchiveFixture.shared()
        let name = AnalysisArchiveFixture.experiment
        let plot = try TestSupport.temporaryDirectory().appendingPathComponent("box.svg").path
        let result = try TestSupport.runLSTMLab(["summary", name, "--format", "csv", "--plot", plot,
                                                 "--archive", fixture.path])
        try #require(result.status == 0, "stderr: \(result.stderr)")
        let table = SummaryTable(try Lab(store: fixture.store).results(of: name))
        #expect(result.stdout == table.csv + "\n")
        let box = try parseSVG(String(contentsOfFile: plot, encoding: .utf8))
        #expect(box.title == "\(name): test RMSE over 3 repeats")
        #expect(box.textContents.contains("test RMSE (monthly sales)"))
    }
}
