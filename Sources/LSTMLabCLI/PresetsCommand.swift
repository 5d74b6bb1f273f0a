import ArgumentParser
import Experiment

/// `lstmlab presets`: what each preset runs; `lstmlab presets show` prints a preset's file.
struct PresetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "presets", abstract: "List the experiment presets and their configurations.",
        discussion: "Each preset is an experiment file shipped in lstmlab: `lstmlab presets show NAME` prints it.",
        subcommands: [PresetsShowCommand.self])

    @Flag(name: .long, help: "Also list every configuration of each preset.")
    var verbose = false

    func run() {
        let width = Preset.allCases.map(\.rawValue.count).max() ?? 0
        for preset in Preset.allCases {
            print("\(preset.rawValue.padding(toLength: width, withPad: " ", startingAt: 0)) \(preset.summary)")
            if verbose {
                for configuration in preset.configurations { print("    \(configuration.label)") }
            }
        }
    }
}
