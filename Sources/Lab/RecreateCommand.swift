import Experiment
import TimeSeries

/// The `lstmlab run` command that recreates an experiment exactly: the same name, settings, seed and penalties,
/// and the same data file when it was not the shipped one. Options at their defaults (`ExperimentDefaults`) are left
/// out. `program` is how the command is called (e.g. an absolute path in a batch script).
/// An experiment whose configurations the options cannot express (settings varied by configuration, custom labels,
/// or configurations other than its preset's) is recreated from a file written from it.
public func recreateCommand(_ spec: ExperimentSpec, series: Series?, program: String = "lstmlab") -> String {
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
    if isCustom, let configuration = spec.configurations.first {
        for item in configuration.penalties {
            parts.append("--place \(item.place.rawValue) --l1 \(item.penalty.l1) --l2 \(item.penalty.l2)")
        }
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
