import Archive
import Experiment
import TimeSeries

/// The `lstmlab run` command that recreates an experiment exactly: the same name, settings, seed and penalties, the
/// same data file when it was not the shipped one, and the weight snapshots' interval `checkpointEvery` (0 for none;
/// nil when unknown, left at its default). Options at their defaults (`ExperimentDefaults`) are left out. `program`
/// is how the command is called (e.g. an absolute path in a batch script). An experiment whose configurations the
/// options cannot express (settings varied by configuration, custom labels, or configurations other than its
/// preset's) is recreated from a file written from it.
public func recreateCommand(_ spec: ExperimentSpec, series: Series?, checkpointEvery: Int? = nil,
                            program: String = "lstmlab") -> String {
    let expressible = spec.preset == "custom"
        ? spec.configurations.count == 1 && spec.configurations[0].settings.isEmpty && spec.configurations[0].customLabel == nil
        : Preset(rawValue: spec.preset)?.configurations == spec.configurations
    guard expressible else {
        let file = shellQuoted("\(spec.name).yaml")
        return "\(program) presets show --experiment \(shellQuoted(spec.name)) > \(file) && \(program) run \(file)"
    }
    let t = spec.training
    let defaults = TrainingSettings()
    var parts = ["\(program) run"]
    let isCustom = spec.preset == "custom"
    if !isCustom { parts.append(spec.preset) }
    let defaultName = "\(isCustom ? "custom" : spec.preset)-\(t.profile.name)"
    if spec.name != defaultName { parts.append("--name \(shellQuoted(spec.name))") }
    parts += ["--profile \(t.profile.name)", "--seed \(spec.seed)", "--repeats \(spec.repeats)", "--epochs \(t.epochs)"]
    if t.units != defaults.units { parts.append("--units \(t.units)") }
    if t.batchSize != defaults.batchSize { parts.append("--batch \(t.batchSize)") }
    if t.lag != defaults.lag { parts.append("--lag \(t.lag)") }
    if t.testSize != defaults.testSize { parts.append("--test-size \(t.testSize)") }
    if t.learningRate != defaults.learningRate { parts.append("--learning-rate \(t.learningRate)") }
    for (key, value) in t.familySettings.values {
        parts.append("--\(key) \(TrainingSetting(rawValue: key)!.text(value))")
    }
    if isCustom, let configuration = spec.configurations.first {
        for item in configuration.penalties {
            parts.append("--place \(item.place.rawValue) --l1 \(item.penalty.l1) --l2 \(item.penalty.l2)")
        }
    }
    if let checkpointEvery, checkpointEvery != ExperimentDefaults.checkpointEvery {
        parts.append("--checkpoint-every \(checkpointEvery)")
    }
    if let path = series?.sourcePath {
        parts.append("--data \(shellQuoted(path))")
        if let column = series?.sourceColumn { parts.append("--column \(shellQuoted(column))") }
    }
    return parts.joined(separator: " ")
}

/// A word for a POSIX shell: as is when it is plain, else in single quotes.
public func shellQuoted(_ word: String) -> String {
    let plain = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./:@%+=,".contains($0) }
    return plain && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

extension Lab {
    /// The command that recreates an experiment (`recreateCommand`), with the snapshot interval its runs were trained
    /// with, read from a finished run's checkpoint.
    public func commandRecreating(_ experiment: ExperimentRecord) throws -> String {
        let spec = try experiment.spec()
        return recreateCommand(spec, series: try experiment.series(),
                               checkpointEvery: try snapshotInterval(ofExperiment: experiment.id!, epochs: spec.training.epochs))
    }

    /// The `--checkpoint-every` of an experiment's runs, from the snapshots in its first finished run's verified
    /// checkpoint: the first snapshot's epoch; with none, 0 (nil, the default, when the runs are shorter than the
    /// default interval, which gives none either). Nil when no finished run's checkpoint can be read.
    func snapshotInterval(ofExperiment id: Int64, epochs: Int) throws -> Int? {
        guard let run = try store.runs(experimentID: id, status: .finished).first,
              let checkpoint = try? store.loadVerifiedCheckpoint(of: run) else { return nil }
        guard let first = checkpoint.snapshots.first?.epoch else {
            return ExperimentDefaults.checkpointEvery > epochs ? nil : 0
        }
        return first
    }
}
