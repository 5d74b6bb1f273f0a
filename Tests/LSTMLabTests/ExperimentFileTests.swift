import Experiment
import Foundation
@testable import Lab
import NeuralNetwork
import Testing

/// Experiment files: what they define, the presets as files, and the one-line errors of bad files.
@Suite struct ExperimentFileTests {
    static let unitsByEpochs = """
        # units-by-epochs.yaml
        name: units-by-epochs
        profile: keras3
        seed: 7
        repeats: 3
        data: shampoo-sales
        settings:
          batch: 4
          lag: 1
        grid:
          units: [2, 3]
          epochs: [60, 120]

        """

    /// Parses `text` and returns the error's one line, or nil when it parses.
    func parseError(_ text: String) -> String? {
        do {
            _ = try ExperimentFile(text: text, path: "bad.yaml")
            return nil
        } catch {
            return String(describing: error)
        }
    }

    // MARK: What a file defines

    @Test("the issue's file: four configurations by units and epochs, labelled in key order, grid first key outermost")
    func unitsByEpochsDefinition() throws {
        let spec = try ExperimentFile(text: Self.unitsByEpochs, path: "units-by-epochs.yaml").spec()
        #expect(spec.name == "units-by-epochs" && spec.preset == "custom" && spec.seed == 7 && spec.repeats == 3)
        #expect(spec.training.profile == .keras3 && spec.training.batchSize == 4 && spec.training.lag == 1)
        #expect(spec.configurations.map(\.label)
                == ["units 2, epochs 60", "units 2, epochs 120", "units 3, epochs 60", "units 3, epochs 120"])
        let runs = spec.runs
        #expect(runs.count == 12)
        #expect(runs.map(\.configuration.training.units) == [2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3])
        #expect(runs.map(\.configuration.training.epochs) == [60, 60, 60, 120, 120, 120, 60, 60, 60, 120, 120, 120])
        #expect(Set(runs.map(\.runSeed)).count == 12)
        try spec.validate()
    }

    @Test("command-line values override the file's shared settings; a configuration's own settings still apply")
    func overrides() throws {
        let file = try ExperimentFile(text: Self.unitsByEpochs, path: "units-by-epochs.yaml")
        let spec = file.spec(overriding: ExperimentValues(seed: 9, repeats: 1, settings: SettingOverrides(batchSize: 2, epochs: 5)))
        #expect(spec.seed == 9 && spec.repeats == 1 && spec.training.batchSize == 2 && spec.training.epochs == 5)
        #expect(spec.runs.map(\.configuration.training.epochs) == [60, 120, 60, 120])
        #expect(spec.runs.map(\.configuration.training.batchSize) == [2, 2, 2, 2])
        #expect(file.spec().training.epochs == ExperimentDefaults.epochs)
    }

    @Test("configurations with penalties and labels, combined with a grid; data paths relative to the file's folder")
    func configurationsAndGrid() throws {
        let text = """
            name: mixed-{profile}
            data: {path: series.csv, column: sales}
            configurations:
              - label: plain
              - penalties: {kernel: {l1: 0.01}}
            grid:
              epochs: [10, 20]

            """
        let file = try ExperimentFile(text: text, path: "mixed.yaml", folder: "/data/study")
        #expect(file.data == .csv(path: "/data/study/series.csv", column: "sales"))
        let spec = file.spec(overriding: ExperimentValues(profile: .keras3))
        #expect(spec.name == "mixed-keras3")
        #expect(spec.configurations.map(\.label)
                == ["plain, epochs 10", "plain, epochs 20", "epochs 10, kernel L1L2(0.01,0.00)", "epochs 20, kernel L1L2(0.01,0.00)"])
        #expect(spec.configurations[2].penalties == [PlacedPenalty(.kernel, L1L2(l1: 0.01, l2: 0))])
    }

    // MARK: Seeds and identity

    @Test("a configuration that sets a setting has its own encoding: the setting's key, its bits, then ';'")
    func encoding() {
        let units = ConfigurationSpec([], settings: SettingOverrides(units: 2))
        var expected = Array("units=".utf8)
        for shift in stride(from: 56, through: 0, by: -8) { expected.append(UInt8(truncatingIfNeeded: 2.0.bitPattern >> UInt64(shift))) }
        expected.append(UInt8(ascii: ";"))
        #expect(units.canonicalEncoding == expected)
        let kernel = ConfigurationSpec.single(.kernel, L1L2(l1: 0.01, l2: 0))
        let kernelAndEpochs = ConfigurationSpec([(.kernel, L1L2(l1: 0.01, l2: 0))], settings: SettingOverrides(epochs: 60))
        #expect(Array(kernelAndEpochs.canonicalEncoding.prefix(kernel.canonicalEncoding.count)) == kernel.canonicalEncoding)
        #expect(kernelAndEpochs.canonicalEncoding.count == kernel.canonicalEncoding.count + "epochs=".utf8.count + 9)
        #expect(deriveRunSeed(experimentSeed: 1, configuration: units, repeatIndex: 0)
                != deriveRunSeed(experimentSeed: 1, configuration: .baseline, repeatIndex: 0))
        // A custom label is not part of the identity.
        let labelled = ConfigurationSpec([], settings: SettingOverrides(units: 2), label: "two units")
        #expect(labelled.canonicalEncoding == units.canonicalEncoding && labelled.label == "two units")
    }

    @Test("JSON: settings written only when set, a custom label read back, a generated one not kept as custom")
    func codable() throws {
        let plain = ConfigurationSpec.single(.bias, L1L2(l1: 0.01, l2: 0.01))
        #expect(!(try canonicalJSON(plain)).contains("settings"))
        for configuration in [plain, ConfigurationSpec([], settings: SettingOverrides(units: 2, learningRate: 0.01)),
                              ConfigurationSpec([(.kernel, L1L2(l1: 0.1, l2: 0))], settings: SettingOverrides(epochs: 7),
                                                label: "mine")] {
            let decoded = try JSONDecoder().decode(ConfigurationSpec.self, from: Data(try canonicalJSON(configuration).utf8))
            #expect(decoded == configuration && decoded.customLabel == configuration.customLabel)
        }
    }

    // MARK: Presets are files

    @Test("each preset's file gives the preset's configurations, labels and names, and its summary")
    func presetsAreFiles() throws {
        let both = L1L2(l1: 0.01, l2: 0.01)
        let study = Preset.studyPenalties
        let expected: [Preset: [ConfigurationSpec]] = [
            .baseline: [.baseline],
            .bias: study.map { .single(.bias, $0) },
            .input: study.map { .single(.kernel, $0) },
            .recurrent: study.map { .single(.recurrent, $0) },
            .inputGrid: [0, 0.001, 0.003, 0.01, 0.03, 0.1].flatMap { l1 in
                [0, 0.001, 0.003, 0.01, 0.03, 0.1].map { .single(.kernel, L1L2(l1: l1, l2: $0)) }
            },
            .combined: [.baseline, .single(.kernel, both), .combined([(.kernel, both), (.bias, both)]),
                        .combined([(.kernel, both), (.recurrent, both)]),
                        .combined([(.kernel, both), (.bias, both), (.recurrent, both)]),
                        .combined([(.kernel, both), (.recurrent, L1L2(l1: 0.001, l2: 0.001))])],
            .activity: [L1L2(l1: 0, l2: 0), L1L2(l1: 0.001, l2: 0), L1L2(l1: 0, l2: 0.001), L1L2(l1: 0.01, l2: 0),
                        L1L2(l1: 0, l2: 0.01), L1L2(l1: 0.01, l2: 0.01)].map { .single(.activity, $0) },
            .dynamics: [.baseline, .single(.kernel, both), .single(.recurrent, both), .single(.bias, both)],
        ]
        for preset in Preset.allCases where !preset.isFamily {
            #expect(preset.configurations == expected[preset], "\(preset.rawValue)")
            #expect(preset.configurations.map(\.label) == expected[preset]?.map(\.label))
            #expect(preset.configurations.allSatisfy { $0.settings.isEmpty && $0.customLabel == nil })
            let values = ExperimentValues(profile: .keras3, seed: 5, repeats: 2, settings: SettingOverrides(epochs: 3))
            let fromFile = try ExperimentFile(text: preset.text, path: "\(preset.rawValue).yaml").spec(overriding: values)
            #expect(fromFile == preset.experiment(seed: 5, repeats: 2, training: values.training))
            #expect(fromFile.name == "\(preset.rawValue)-keras3" && fromFile.preset == preset.rawValue)
            #expect(!preset.summary.isEmpty && !preset.summary.contains("\n"))
        }
        #expect(Preset.input.summary == "the study's four L1L2 settings on the input weights (kernel)")
    }

    @Test("the family's presets: their listings' settings, repeats and the published tables' labels")
    func familyPresets() throws {
        func spec(_ preset: Preset) -> ExperimentSpec {
            preset.experiment(seed: 1, repeats: 30, training: TrainingSettings(profile: .keras2))
        }
        func settings(_ preset: Preset, _ label: String) throws -> TrainingSettings {
            let spec = spec(preset)
            return try #require(spec.configurations.first { $0.label == label }).training(sharing: spec.training)
        }
        #expect(spec(.dropout).configurations.map(\.label) == ["0.0", "0.2", "0.4", "0.6"].map { "input dropout \($0)" })
        #expect(try settings(.dropout, "input dropout 0.4").dropout == 0.4)
        #expect(try settings(.recurrentDropout, "recurrent dropout 0.6").recurrentDropout == 0.6)
        #expect(try settings(.dropout, "input dropout 0.4").units == 3 && spec(.dropout).repeats == 30)
        #expect(try settings(.epochs, "epochs 6000").epochs == 6000 && settings(.epochs, "epochs 500").seedState)
        #expect(try settings(.batch, "batch 1").skipRows == 2 && settings(.original, "rmse").zeroPad)
        #expect(try settings(.neurons, "neurons 5").units == 5)
        let statelessShuffle = try settings(.stateless, "stateless_shuffle")
        #expect(!statelessShuffle.stateful && statelessShuffle.shuffle && statelessShuffle.forecast == .walkForward)
        #expect(try settings(.stateless, "stateful_batch12").batchSize == 12 && settings(.stateless, "stateful_batch12").trainRows == 12)
        // A against A: the same settings, other seeds.
        let stateless = spec(.stateless)
        #expect(try settings(.stateless, "stateful") == settings(.stateless, "stateful2"))
        #expect(Set(stateless.runs.filter { $0.configuration.label.hasPrefix("stateful") && !$0.configuration.label.contains("batch") }
            .map(\.runSeed)).count == 2 * stateless.repeats)
        #expect(spec(.features).configurations.count == 14 && spec(.timesteps).configurations.count == 9)
        #expect(try settings(.timesteps, "timesteps 4 · 4 neurons").networkShape == NetworkShape(lag: 1, units: 4, timesteps: 4))
        #expect(try settings(.features, "features 3 · 3 neurons · 1000 epochs").networkShape == NetworkShape(lag: 3, units: 3))
        #expect(spec(.instability).repeats == 100 && spec(.stateless).repeats == 10)
        #expect(try settings(.seedState, "with-seed").seedState && !settings(.seedState, "without-seed").seedState)
        let original = try settings(.original, "rmse")
        #expect(original.units == 4 && original.batchSize == 1 && original.epochs == 3000 && original.seedState
                && original.forecast == .walkForward)
        for preset in Preset.family {
            try spec(preset).validate()
            #expect(Set(spec(preset).configurations.map(\.label)).count == spec(preset).configurations.count)
        }
    }

    @Test("the family's keys: read from files, written back, one-line errors for bad values")
    func familyKeys() throws {
        let text = """
            name: keys
            settings: {dropout: 0.25, stateful: false, shuffle: true, forecast: walk-forward, lag-as: timesteps, lag: 3}
            configurations:
              - {label: a, recurrent-dropout: 0.5, seed-state: true, train-rows: 12, batch: 2}
              - {label: b, replicate: 1}
              - {label: c}
            """
        let spec = try ExperimentFile(text: text, path: "keys.yaml").spec()
        #expect(spec.training.dropout == 0.25 && !spec.training.stateful && spec.training.shuffle)
        #expect(spec.training.forecast == .walkForward && spec.training.lagAs == .timesteps)
        let a = spec.trainingSettings[0]
        #expect(a.recurrentDropout == 0.5 && a.seedState && a.trainRows == 12 && a.batchSize == 2 && a.dropout == 0.25)
        #expect(spec.trainingSettings[1] == spec.trainingSettings[2])
        #expect(spec.configurations[1].canonicalEncoding != spec.configurations[2].canonicalEncoding)
        #expect(try ExperimentFile(text: ExperimentFile.text(for: spec, data: nil), path: "w.yaml").spec() == spec)
        // Settings encode as lstmlab 0.2's when only its settings are set, and round-trip otherwise.
        let plain = try JSONEncoder().encode(TrainingSettings())
        #expect(!String(decoding: plain, as: UTF8.self).contains("family"))
        #expect(try JSONDecoder().decode(TrainingSettings.self, from: try JSONEncoder().encode(a)) == a)

        expectOneLine("settings: {dropout: 1}\n", line: 1, containing: ["dropout", "below 1"])
        expectOneLine("settings: {stateful: maybe}\n", line: 1, containing: ["stateful", "true or false"])
        expectOneLine("settings: {forecast: sideways}\n", line: 1, containing: ["one-shot or walk-forward"])
        expectOneLine("settings: {lag-as: rows}\n", line: 1, containing: ["features or timesteps"])
        expectOneLine("settings: {replicate: 1}\n", line: 1, containing: ["unknown key 'replicate'"])
        expectOneLine("configurations:\n  - {train-rows: -1}\n", line: 2, containing: ["train-rows"])
    }

    @Test("a file written from a specification gives that specification back")
    func writtenFileRoundTrip() throws {
        var spec = try ExperimentFile(text: Self.unitsByEpochs, path: "u.yaml").spec()
        spec.configurations.append(ConfigurationSpec([(.recurrent, L1L2(l1: 0.003, l2: 1e-7))],
                                                     settings: SettingOverrides(learningRate: 0.0123), label: "odd \"one\""))
        let text = ExperimentFile.text(for: spec, data: .csv(path: "/tmp/x y.csv", column: "2"))
        let file = try ExperimentFile(text: text, path: "w.yaml")
        #expect(file.spec() == spec)
        #expect(file.data == .csv(path: "/tmp/x y.csv", column: "2"))
    }

    // MARK: Bad files: one line naming the file, line and column, the key and what is allowed

    func expectOneLine(_ text: String, line: Int, containing parts: [String]) {
        let message = parseError(text)
        #expect(message != nil, "expected an error for:\n\(text)")
        guard let message else { return }
        #expect(!message.contains("\n"), "\(message)")
        #expect(message.hasPrefix("bad.yaml:\(line):"), "\(message)")
        for part in parts { #expect(message.contains(part), "\(message) should contain \(part)") }
    }

    @Test("YAML syntax errors")
    func syntax() {
        expectOneLine("name: x\nsettings:\n  units: [2, 3\n  epochs: 5\n", line: 4, containing: ["YAML syntax error"])
        expectOneLine("name: x\nname: y\n", line: 1, containing: ["'name'", "twice"])
    }

    @Test("unknown keys name the nearest known key")
    func unknownKeys() {
        expectOneLine("name: x\nsettings:\n  epoch: 5\n", line: 3, containing: ["unknown key 'epoch'", "did you mean 'epochs'"])
        expectOneLine("name: x\nconfigurations:\n  - penalties: {kernal: {l1: 0.1}}\n", line: 3,
                      containing: ["unknown key 'kernal'", "did you mean 'kernel'"])
        expectOneLine("repeat: 3\n", line: 1, containing: ["did you mean 'repeats'"])
        expectOneLine("configurations:\n  - checkpoint-every: 5\n", line: 2, containing: ["'checkpoint-every'"])
    }

    @Test("wrong types")
    func wrongTypes() {
        expectOneLine("name: x\nrepeats: three\n", line: 2, containing: ["repeats must be an integer", "'three'"])
        expectOneLine("name: x\nsettings: 5\n", line: 2, containing: ["settings must be a map"])
        expectOneLine("name: x\ngrid:\n  units: 2\n", line: 3, containing: ["grid.units must be a list"])
        expectOneLine("name: x\nsettings:\n  learning-rate: fast\n", line: 3, containing: ["learning-rate must be a finite number"])
        expectOneLine("- 1\n- 2\n", line: 1, containing: ["the file must be a map"])
    }

    @Test("values out of range")
    func outOfRange() {
        expectOneLine("name: x\nsettings:\n  units: 0\n", line: 3, containing: ["units must be from 1 to 1000, got 0"])
        expectOneLine("name: x\ngrid:\n  lag: [1, 5000]\n", line: 3, containing: ["lag must be from 1 to 1000, got 5000"])
        expectOneLine("configurations:\n  - penalties: {bias: {l2: -1}}\n", line: 2, containing: ["bias L2 must be from 0"])
        expectOneLine("profile: keras4\n", line: 1, containing: ["keras2 or keras3"])
        expectOneLine("name: no/slash\n", line: 1, containing: ["experiment name"])
        expectOneLine("data: prices\n", line: 1, containing: ["shampoo-sales or {path: FILE, column: NAME}"])
    }

    @Test("duplicate labels, same configurations, empty grid, empty lists, a key set twice")
    func badConfigurations() {
        expectOneLine("configurations:\n  - label: a\n    units: 2\n  - label: a\n    units: 3\n", line: 4,
                      containing: ["label 'a'", "lines 2 and 4"])
        expectOneLine("configurations:\n  - units: 2\n  - epochs: 5\n  - units: 2\n", line: 4,
                      containing: ["same as the one at line 2"])
        expectOneLine("name: x\ngrid: {}\n", line: 2, containing: ["grid must map at least one setting"])
        expectOneLine("name: x\ngrid:\n  units: []\n", line: 3, containing: ["grid.units must list at least one value"])
        expectOneLine("name: x\nconfigurations: []\n", line: 2, containing: ["configurations must list at least one"])
        expectOneLine("configurations:\n  - units: 2\ngrid:\n  units: [3, 4]\n", line: 4,
                      containing: ["'units' is set both by a configuration (line 2) and by the grid"])
    }

    // MARK: The command line

    @Test("lstmlab run FILE.yaml: the issue's file runs as written, check sound, reproduce identical, re-run from its file")
    func runAsWritten() throws {
        let folder = try TestSupport.temporaryDirectory()
        let path = folder.appendingPathComponent("units-by-epochs.yaml").path
        try Self.unitsByEpochs.write(toFile: path, atomically: true, encoding: .utf8)
        let archive = folder.appendingPathComponent("a.sqlite").path
        let run = try TestSupport.runLSTMLab(["run", path, "--archive", archive, "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("12 runs of 60–120 epochs trained"))
        let lab = try Lab.reading(archive: archive)
        let results = try lab.results(of: "units-by-epochs")
        #expect(results.configurations.map(\.label)
                == ["units 2, epochs 60", "units 2, epochs 120", "units 3, epochs 60", "units 3, epochs 120"])
        let runs = try lab.store.runs()
        #expect(runs.count == 12 && runs.allSatisfy { $0.status == .finished })
        for record in runs {
            let epochs = try record.configuration().training.epochs
            #expect(try lab.store.curve(runID: record.id!).count == epochs)
            #expect(record.configurationLabel.hasSuffix("epochs \(epochs)"))
        }
        #expect(try lab.store.experiment(named: "units-by-epochs").experimentFile == Self.unitsByEpochs)
        let check = try TestSupport.runLSTMLab(["check", "--archive", archive])
        #expect(check.status == 0 && check.stdout.contains("archive sound"), "\(check.stdout)\(check.stderr)")
        let reproduce = try TestSupport.runLSTMLab(["reproduce", "--experiment", "units-by-epochs", "--archive", archive])
        #expect(reproduce.status == 0 && reproduce.stdout.contains("all 12 runs identical"), "\(reproduce.stdout)")
        for command in [["summary", "units-by-epochs"], ["compare", "units-by-epochs"],
                        ["curves", "--experiment", "units-by-epochs", "--output", folder.appendingPathComponent("c.svg").path],
                        ["notebook", "units-by-epochs", "--directory", folder.appendingPathComponent("nb").path],
                        ["show", String(runs[0].id!)]] {
            let result = try TestSupport.runLSTMLab(command + ["--archive", archive])
            #expect(result.status == 0, "\(command): \(result.stderr)")
        }
        let notebook = try String(contentsOfFile: folder.appendingPathComponent("nb/units-by-epochs.md").path, encoding: .utf8)
        #expect(notebook.contains("```yaml\n" + Self.unitsByEpochs))
        #expect(notebook.contains("| repeats × epochs | 3 × 60/120 |"))

        // The recorded file re-runs it; so does a file written from the specification when options changed it.
        let shown = try TestSupport.runLSTMLab(["presets", "show", "--experiment", "units-by-epochs", "--archive", archive])
        #expect(shown.status == 0 && shown.stdout == Self.unitsByEpochs)
        let other = folder.appendingPathComponent("b.sqlite").path
        let fewer = try TestSupport.runLSTMLab(["run", path, "--repeats", "1", "--seed", "8", "--archive", other, "--quiet"])
        #expect(fewer.status == 0, "\(fewer.stderr)")
        let written = try TestSupport.runLSTMLab(["presets", "show", "--experiment", "units-by-epochs", "--archive", other])
        #expect(written.status == 0 && written.stdout.contains("seed: 8") && written.stdout.contains("repeats: 1"))
        let rerunPath = folder.appendingPathComponent("rerun.yaml").path
        try written.stdout.write(toFile: rerunPath, atomically: true, encoding: .utf8)
        let third = folder.appendingPathComponent("c.sqlite").path
        #expect(try TestSupport.runLSTMLab(["run", rerunPath, "--archive", third, "--quiet"]).status == 0)
        let diff = try TestSupport.runLSTMLab(["diff", other, third])
        #expect(diff.status == 0, "\(diff.stdout)\(diff.stderr)")
    }

    @Test("presets show NAME, then run of that file, equals run NAME for every preset (lstmlab diff)")
    func presetFilesRunLikePresets() throws {
        let folder = try TestSupport.temporaryDirectory()
        var files: [String] = []
        for preset in Preset.allCases {
            let shown = try TestSupport.runLSTMLab(["presets", "show", preset.rawValue])
            #expect(shown.status == 0 && shown.stdout == preset.text)
            let path = folder.appendingPathComponent("\(preset.rawValue).yaml").path
            try shown.stdout.write(toFile: path, atomically: true, encoding: .utf8)
            files.append(path)
        }
        let options = ["--epochs", "2", "--repeats", "1", "--profile", "keras3", "--quiet", "--checkpoint-every", "0"]
        let byName = folder.appendingPathComponent("names.sqlite").path
        let byFile = folder.appendingPathComponent("files.sqlite").path
        // Every preset but the two whose configurations set their own epochs (up to 6000), which --epochs does not
        // shorten; their files are checked against their definitions by `familyPresets`.
        let quick = Preset.allCases.filter { ![.epochs, .features].contains($0) }
        let names = try TestSupport.runLSTMLab(["run"] + quick.map(\.rawValue) + options + ["--archive", byName])
        #expect(names.status == 0, "\(names.stderr)")
        let quickFiles = files.filter { file in quick.contains { file.hasSuffix("/\($0.rawValue).yaml") } }
        let fromFiles = try TestSupport.runLSTMLab(["run"] + quickFiles + options + ["--archive", byFile])
        #expect(fromFiles.status == 0, "\(fromFiles.stderr)")
        let diff = try TestSupport.runLSTMLab(["diff", byName, byFile])
        #expect(diff.status == 0, "\(diff.stdout)\(diff.stderr)")
        let lab = try Lab.reading(archive: byFile)
        #expect(try lab.store.runs().count == quick.reduce(0) { $0 + $1.configurations.count })
    }

    @Test("a bad file: one line on standard error with the file, line and column; nothing trained or archived")
    func badFileOnTheCommandLine() throws {
        let folder = try TestSupport.temporaryDirectory()
        let path = folder.appendingPathComponent("bad.yaml").path
        try "name: bad\nsettings:\n  unitz: 3\n".write(toFile: path, atomically: true, encoding: .utf8)
        let archive = folder.appendingPathComponent("a.sqlite").path
        let result = try TestSupport.runLSTMLab(["run", path, "--archive", archive])
        #expect(result.status != 0)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("bad.yaml:3:3:") && lines[0].contains("did you mean 'units'"),
                "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: archive))
    }
}
