@testable import Analysis
import Archive
@testable import LSTMLabCLI
import Experiment
import Lab
import Foundation
import NeuralNetwork
import Testing
import TimeSeries

// MARK: - Fixtures

/// The same small `dynamics` experiment (2 repeats × 60 epochs, keras2, seed 11) trained into two separate fresh
/// archives at different paths, once per test process.
private struct TwinArchives: Sendable {
    static let experiment = "dynamics-keras2"
    static let spec = Preset.dynamics.experiment(seed: 11, repeats: 2,
                                                 training: TrainingSettings(profile: .keras2, epochs: 60))
    let first: (path: String, store: ArchiveStore)
    let second: (path: String, store: ArchiveStore)

    private static let built = Result { try TwinArchives() }
    static func shared() throws -> TwinArchives { try built.get() }

    private init() throws {
        func train() throws -> (path: String, store: ArchiveStore) {
            let path = TestSupport.temporaryArchive()
            let store = try ArchiveStore(path: path, create: true)
            let outcome = try Lab(store: store).run(try ExperimentPlan(spec: Self.spec, series: .shampooSales(), snapshotInterval: nil), jobs: 2)
            guard outcome.trained.count == Self.spec.runs.count else {
                throw FixtureFailure("trained \(outcome.trained.count) of \(Self.spec.runs.count) runs")
            }
            return (path, store)
        }
        first = try train()
        second = try train()
        guard first.path != second.path else { throw FixtureFailure("the two archives share a path") }
    }
}

/// The study proper for one profile — baseline, bias, input, recurrent, keras2, 2 repeats × 40 epochs — in one
/// fresh archive, once per test process.
private struct StudyArchive: Sendable {
    static let presets: [Preset] = [.baseline, .bias, .input, .recurrent]
    static let training = TrainingSettings(profile: .keras2, epochs: 40)
    let path: String
    let store: ArchiveStore

    private static let built = Result { try StudyArchive() }
    static func shared() throws -> StudyArchive { try built.get() }

    private init() throws {
        path = TestSupport.temporaryArchive()
        store = try ArchiveStore(path: path, create: true)
        for preset in Self.presets {
            let spec = preset.experiment(seed: 2017, repeats: 2, training: Self.training)
            let outcome = try Lab(store: store).run(try ExperimentPlan(spec: spec, series: .shampooSales(), snapshotInterval: nil), jobs: 2)
            guard outcome.trained.count == spec.runs.count else { throw FixtureFailure("\(spec.name) did not train") }
        }
    }

    /// Scores of one configuration read straight from the archive's run records.
    func scores(experiment: String, label: String) throws -> [Double] {
        let record = try store.experiment(named: experiment)
        return try store.runs(experimentID: record.id!, status: .finished)
            .filter { $0.configurationLabel == label }
            .compactMap(\.finalTestRMSE)
    }
}

/// The three files of an experiment's notebook, as bytes.
private struct NotebookFiles: Equatable {
    var markdown: Data
    var box: Data
    var curves: Data

    init(directory: URL, experiment: String) throws {
        markdown = try Data(contentsOf: directory.appendingPathComponent("\(experiment).md"))
        box = try Data(contentsOf: directory.appendingPathComponent("figures/\(experiment)-box.svg"))
        curves = try Data(contentsOf: directory.appendingPathComponent("figures/\(experiment)-curves.svg"))
    }

    var texts: [String] { [markdown, box, curves].map { String(decoding: $0, as: UTF8.self) } }
}

/// mean ± std (divisor n − 1) with two decimals, computed here rather than with `Description`.
private func meanStd(_ values: [Double]) -> String {
    let mean = values.reduce(0, +) / Double(values.count)
    let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
    return String(format: "%.2f ± %.2f", mean, variance.squareRoot())
}

/// Whether `text` holds `word` with no letter or digit right before or after it.
private func containsToken(_ text: String, _ word: String) -> Bool {
    var searchRange = text.startIndex..<text.endIndex
    while let found = text.range(of: word, range: searchRange) {
        let before = found.lowerBound == text.startIndex ? nil : text[text.index(before: found.lowerBound)]
        let after = found.upperBound == text.endIndex ? nil : text[found.upperBound]
        let isWordCharacter = { (c: Character?) in c.map { $0.isLetter || $0.isNumber } ?? false }
        if !isWordCharacter(before) && !isWordCharacter(after) { return true }
        searchRange = found.upperBound..<text.endIndex
    }
    return false
}

// MARK: - Tests

@Suite("Notebooks and the study index")
struct NotebookTests {

    @Test("Two archives of the same experiment give byte-identical notebooks and figures; so does writing twice")
    func notebooksAreByteReproducible() throws {
        let twins = try TwinArchives.shared()
        let name = TwinArchives.experiment
        let directories = try (0..<3).map { _ in try TestSupport.temporaryDirectory().appendingPathComponent("notebooks") }
        let firstPath = try Lab(store: twins.first.store).writeNotebook(experiment: name, directory: directories[0].path)
        #expect(firstPath == directories[0].appendingPathComponent("\(name).md").path)
        try Lab(store: twins.second.store).writeNotebook(experiment: name, directory: directories[1].path)
        try Lab(store: twins.first.store).writeNotebook(experiment: name, directory: directories[2].path)

        let fromFirst = try NotebookFiles(directory: directories[0], experiment: name)
        let fromSecond = try NotebookFiles(directory: directories[1], experiment: name)
        let again = try NotebookFiles(directory: directories[2], experiment: name)
        #expect(fromFirst.markdown == fromSecond.markdown, "the markdown differs between the two archives")
        #expect(fromFirst.box == fromSecond.box, "the box plot differs between the two archives")
        #expect(fromFirst.curves == fromSecond.curves, "the curves figure differs between the two archives")
        #expect(fromFirst == again, "writing twice from one archive gave different bytes")

        // Overwriting in place gives the same bytes too, and nothing else appears in the folder.
        try Lab(store: twins.first.store).writeNotebook(experiment: name, directory: directories[0].path)
        #expect(try NotebookFiles(directory: directories[0], experiment: name) == fromFirst)
        let listing = try FileManager.default.subpathsOfDirectory(atPath: directories[0].path).sorted()
        #expect(listing == ["\(name).md", "figures", "figures/\(name)-box.svg", "figures/\(name)-curves.svg"])
        // The two trainings really were the same runs (so equal notebooks are not an accident of empty content).
        let scores = try [twins.first.store, twins.second.store].map { store in
            try Lab(store: store).results(of: name).configurations.flatMap(\.scores)
        }
        #expect(scores[0] == scores[1] && scores[0].count == TwinArchives.spec.runs.count)
    }

    @Test("The notebook and its figures hold no timestamp, host, CPU or path")
    func notebookHasNoProvenance() throws {
        let twins = try TwinArchives.shared()
        let name = TwinArchives.experiment
        let directory = try TestSupport.temporaryDirectory().appendingPathComponent("notebooks")
        try Lab(store: twins.first.store).writeNotebook(experiment: name, directory: directory.path)
        let files = try NotebookFiles(directory: directory, experiment: name)
        let record = try twins.first.store.experiment(named: name)
        try #require(!record.createdAt.isEmpty && !record.host.isEmpty)
        let day = String(record.createdAt.prefix(10))   // yyyy-MM-dd
        for (file, text) in zip(["markdown", "box plot", "curves"], files.texts) {
            #expect(!text.contains(record.createdAt), "\(file) contains created_at \(record.createdAt)")
            #expect(!text.contains(day), "\(file) contains the date \(day)")
            #expect(text.firstMatch(of: /[0-9]{4}-[0-9]{2}-[0-9]{2}/) == nil, "\(file) contains a date")
            #expect(text.firstMatch(of: /[0-9]{2}:[0-9]{2}:[0-9]{2}/) == nil, "\(file) contains a time of day")
            #expect(!containsToken(text, record.host), "\(file) contains the host name \(record.host)")
            if record.cpuModel != "unknown" { #expect(!text.contains(record.cpuModel), "\(file) contains the CPU") }
            if record.gitCommit != "unknown" { #expect(!text.contains(record.gitCommit), "\(file) contains the commit") }
            #expect(!text.contains(twins.first.path), "\(file) contains the archive path")
            #expect(!text.contains(directory.path), "\(file) contains the notebooks path")
            #expect(!text.contains(NSTemporaryDirectory()) && !text.contains("/tmp/"), "\(file) contains a temporary path")
        }
    }

    @Test("The notebook embeds the summary table, links its figures, and compares with the baseline")
    func notebookContent() throws {
        let twins = try TwinArchives.shared()
        let name = TwinArchives.experiment
        let directory = try TestSupport.temporaryDirectory().appendingPathComponent("notebooks")
        let path = try Lab(store: twins.first.store).writeNotebook(experiment: name, directory: directory.path)
        let markdown = try String(contentsOfFile: path, encoding: .utf8)
        let results = try Lab(store: twins.first.store).results(of: name)
        #expect(markdown.hasPrefix("# \(name)\n"))
        #expect(markdown.contains(SummaryTable(results).markdown))
        #expect(markdown.contains("| repeats × epochs | 2 × 60 |"))
        #expect(markdown.contains("`lstmlab run dynamics --profile keras2 --seed 11 --repeats 2 --epochs 60`"))
        // Every linked figure exists beside the notebook, and parses as SVG.
        let links = markdown.matches(of: /\]\((figures\/[^)]+\.svg)\)/).map { String($0.output.1) }
        #expect(links == ["figures/\(name)-box.svg", "figures/\(name)-curves.svg"])
        for link in links {
            let svg = try parseSVG(String(contentsOf: directory.appendingPathComponent(link), encoding: .utf8))
            #expect(svg.root == "svg")
            #expect(svg.title?.hasPrefix("\(name): ") == true)
        }
        // One comparison row per non-baseline configuration, Holm-adjusted.
        let comparisons = try compareWithBaseline(results)
        #expect(comparisons.count == 3)
        #expect(markdown.contains(comparisonMarkdown(comparisons)))
        // One diagnostics row per configuration.
        for configuration in results.configurations {
            let rows = markdown.split(separator: "\n").filter { $0.hasPrefix("| \(configuration.label) |") }
            let expected = configuration.configuration.isBaseline ? 2 : 3   // summary, diagnostics, comparison
            #expect(rows.count == expected, "\(configuration.label): \(rows.count) rows")
        }
    }

    @Test("The study index puts the published numbers beside ours and judges the three conclusions")
    func studyIndex() throws {
        let study = try StudyArchive.shared()
        let directory = try TestSupport.temporaryDirectory().appendingPathComponent("notebooks")
        let experiments = StudyArchive.presets.map { "\($0.rawValue)-keras2" } + ["nosuch-keras2"]
        let path = try Lab(store: study.store).writeStudyIndex(profiles: [.keras2], experiments: experiments, directory: directory.path)
        #expect(path == directory.appendingPathComponent("README.md").path)
        let index = try String(contentsOfFile: path, encoding: .utf8)
        let rows = index.split(separator: "\n").map(String.init)

        // SPEC §4 (the study's published table, Keras 2.0, 30 repeats), typed here from the spec, not from the sources.
        let baselineRow = "| baseline run | L1L2(0.00,0.00) | 92.84 ± 5.75 | "
            + meanStd(try study.scores(experiment: "baseline-keras2", label: "L1L2(0.00,0.00)")) + " |"
        #expect(rows.contains(baselineRow), "missing: \(baselineRow)")
        let penalties = ["L1L2(0.00,0.00)", "L1L2(0.01,0.00)", "L1L2(0.00,0.01)", "L1L2(0.01,0.01)"]
        let published: [(preset: String, place: String, values: [String])] = [
            ("bias", "bias", ["92.82 ± 4.89", "95.52 ± 3.64", "93.29 ± 3.91", "92.90 ± 5.08"]),
            ("input", "kernel", ["91.64 ± 6.09", "82.12 ± 4.12", "82.14 ± 3.38", "80.47 ± 2.21"]),
            ("recurrent", "recurrent", ["92.92 ± 7.17", "100.68 ± 3.87", "101.30 ± 5.23", "96.82 ± 3.97"]),
        ]
        for (preset, place, values) in published {
            for (penalty, value) in zip(penalties, values) {
                let ours = meanStd(try study.scores(experiment: "\(preset)-keras2", label: "\(place) \(penalty)"))
                let row = "| \(preset) | \(penalty) | \(value) | \(ours) |"
                #expect(rows.contains(row), "missing: \(row)")
            }
        }
        #expect(rows.contains("| place | configuration | published (Keras 2.0) | keras2 |"))

        // A verdict line for each of the three published conclusions.
        let verdictWords = ["holds", "does not hold", "holds in part", "holds in part (not best with both L1 and L2)",
                            "holds in direction, not significantly for all"]
        let claims = ["Bias regularization does not help",
                      "Input-weight regularization lowers test RMSE (by about 10, best with both L1 and L2)",
                      "Recurrent-weight regularization makes it worse"]
        var verdicts: [String: String] = [:]
        for claim in claims {
            let line = try #require(rows.first { $0.hasPrefix("- \(claim): **") }, "no verdict line for: \(claim)")
            let verdict = line.dropFirst("- \(claim): **".count).prefix { $0 != "*" }
            #expect(verdictWords.contains(String(verdict)), "unexpected verdict '\(verdict)'")
            verdicts[claim] = String(verdict)
        }
        // The bias verdict, recomputed: it holds unless some bias penalty is significantly better (Holm, α 0.05).
        let bias = try compareWithBaseline(try Lab(store: study.store).results(of: "bias-keras2"))
        let helped = bias.contains { ($0.adjustedPValue ?? 1) < 0.05 && $0.meanDifference < 0 }
        #expect(verdicts[claims[0]] == (helped ? "does not hold" : "holds"))
        // The recurrent verdict, recomputed from the signs and significance of the three differences.
        let recurrent = try compareWithBaseline(try Lab(store: study.store).results(of: "recurrent-keras2"))
        let worse = recurrent.filter { ($0.adjustedPValue ?? 1) < 0.05 && $0.meanDifference > 0 }.count
        let higher = recurrent.filter { $0.meanDifference > 0 }.count
        let expectedRecurrent = worse == 3 ? "holds" : higher == 3 ? "holds in direction, not significantly for all"
            : worse == 0 ? "does not hold" : "holds in part"
        #expect(verdicts[claims[2]] == expectedRecurrent)

        // A link to each experiment's notebook with its best configuration; none for an experiment not archived.
        for preset in StudyArchive.presets {
            let name = "\(preset.rawValue)-keras2"
            let results = try Lab(store: study.store).results(of: name)
            let means = results.configurations.map { ($0.label, $0.scores.reduce(0, +) / Double($0.scores.count)) }
            let best = means.min { $0.1 < $1.1 }!
            let line = "- [\(name)](\(name).md): \(preset.summary); lowest mean test RMSE `\(best.0)` "
                + String(format: "%.3f", best.1) + "."
            #expect(rows.contains(line), "missing: \(line)")
        }
        #expect(!index.contains("nosuch-keras2"))
        // Writing the index is reproducible too.
        let again = try TestSupport.temporaryDirectory().appendingPathComponent("notebooks")
        let secondPath = try Lab(store: study.store).writeStudyIndex(profiles: [.keras2], experiments: experiments, directory: again.path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: secondPath)) == Data(index.utf8))
    }

    @Test("CLI notebook writes DIRECTORY/EXPERIMENT.md and figures, the same bytes as the library")
    func notebookCommand() throws {
        let twins = try TwinArchives.shared()
        let name = TwinArchives.experiment
        let directory = try TestSupport.temporaryDirectory().appendingPathComponent("nb")
        let result = try TestSupport.runLSTMLab(["notebook", name, "--directory", directory.path,
                                                 "--archive", twins.second.path])
        try #require(result.status == 0, "stderr: \(result.stderr)")
        let written = directory.appendingPathComponent("\(name).md")
        #expect(result.stdout == "wrote \(written.path)\n")
        #expect(FileManager.default.fileExists(atPath: written.path))
        let fromCLI = try NotebookFiles(directory: directory, experiment: name)
        let library = try TestSupport.temporaryDirectory().appendingPathComponent("nb")
        try Lab(store: twins.first.store).writeNotebook(experiment: name, directory: library.path)
        #expect(fromCLI == (try NotebookFiles(directory: library, experiment: name)))
        for svg in [fromCLI.box, fromCLI.curves] {
            #expect(try parseSVG(String(decoding: svg, as: UTF8.self)).root == "svg")
        }
    }
}

@Suite struct ReproduceCommandTests {
    @Test func aCustomExperimentsCommandKeepsItsPlaceOrderAndData() throws {
        let configuration = ConfigurationSpec.combined([(.bias, L1L2(l1: 0, l2: 0.01)), (.kernel, L1L2(l1: 0.01, l2: 0))])
        let spec = ExperimentSpec(name: "mine", preset: "custom", seed: 5, repeats: 3,
                                  training: TrainingSettings(profile: .keras3, lag: 2, epochs: 40),
                                  configurations: [configuration])
        let series = Series(name: "sales:Sales", labels: ["a", "b"], values: [1, 2], sourcePath: "data/my sales.csv",
                            sourceColumn: "Sales")
        let command = recreateCommand(spec, series: series)
        #expect(command == "lstmlab run --name mine --profile keras3 --seed 5 --repeats 3 --epochs 40 --lag 2 "
                + "--place kernel --l1 0.01 --l2 0.0 --place bias --l1 0.0 --l2 0.01 "
                + "--data 'data/my sales.csv' --column Sales")
        // Parsed back by the command line, the flags give the same configuration (and so the same seeds).
        let withoutData = recreateCommand(spec, series: nil)
        let parsed = try LSTMLab.parseAsRoot(withoutData.split(separator: " ").dropFirst().map(String.init))
        let run = try #require(parsed as? RunCommand)
        #expect(try run.experiment.specs() == [spec])
    }

    @Test func aPresetsCommandIsShort() {
        let spec = Preset.input.experiment(seed: 2017, repeats: 30, training: TrainingSettings(profile: .keras2))
        #expect(recreateCommand(spec, series: .shampooSales())
                == "lstmlab run input --profile keras2 --seed 2017 --repeats 30 --epochs 1000")
    }
}
