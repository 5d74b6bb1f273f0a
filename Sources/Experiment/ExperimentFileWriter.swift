import Foundation
import TimeSeries

extension ExperimentFile {
    /// An experiment file that defines `spec` exactly (every shared setting written out, each configuration with its
    /// own settings, penalties and custom label), reading its series from `data` (nil: the shipped shampoo sales).
    /// `ExperimentFile(text:…).spec()` of the result equals `spec`.
    public static func text(for spec: ExperimentSpec, data: DataSource?, comment: String? = nil) -> String {
        var lines: [String] = comment.map { ["# \(oneLine($0, limit: 200))"] } ?? []
        lines.append("name: \(quoted(spec.name))")
        if spec.preset != "custom" { lines.append("preset: \(quoted(spec.preset))") }
        lines += ["profile: \(spec.training.profile.name)", "seed: \(spec.seed)", "repeats: \(spec.repeats)"]
        switch data {
        case .none, .shampooSales?:
            lines.append("data: shampoo-sales")
        case .csv(let path, let column)?:
            lines.append("data: {path: \(quoted(path))" + (column.map { ", column: \(quoted($0))" } ?? "") + "}")
        }
        let t = spec.training
        let shared = SettingOverrides(units: t.units, batchSize: t.batchSize, lag: t.lag, testSize: t.testSize,
                                      epochs: t.epochs, learningRate: t.learningRate).overriding(t.familySettings)
        lines.append("settings:")
        lines += shared.values.map { "  \($0.key): \(settingText($0))" }
        lines.append("configurations:")
        for configuration in spec.configurations {
            var items: [String] = []
            if let label = configuration.customLabel { items.append("label: \(quoted(label))") }
            items += configuration.settings.values.map { "\($0.key): \(settingText($0))" }
            let penalties = configuration.penalties.map {
                "\($0.place.rawValue): {l1: \(formatSetting($0.penalty.l1)), l2: \(formatSetting($0.penalty.l2))}"
            }
            items.append("penalties: {\(penalties.joined(separator: ", "))}")
            lines.append("  - " + items.joined(separator: "\n    "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A setting's value as a file writes it (`TrainingSetting.text`).
    static func settingText(_ setting: (key: String, value: Double)) -> String {
        TrainingSetting(rawValue: setting.key)!.text(setting.value)
    }

    /// A YAML double-quoted scalar (a JSON string is one).
    static func quoted(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return (try? encoder.encode(text)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }
}
