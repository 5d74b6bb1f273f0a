import ArgumentParser
import Experiment
import Lab

/// `lstmlab presets show NAME`: a preset's experiment file; with `--experiment`, a file that re-runs an archived
/// experiment bit for bit.
struct PresetsShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print a preset's experiment file, or a file that re-runs an archived experiment.",
        discussion: "`lstmlab presets show input > input.yaml && lstmlab run input.yaml` is `lstmlab run input`.")

    @Argument(help: "The preset (see `lstmlab presets`).")
    var preset: String?

    @Option(name: .long, help: "Instead of a preset, an archived experiment: the file it was run from, or one written from its specification.")
    var experiment: String?

    @OptionGroup var archiveOptions: ArchiveOptions

    func run() throws {
        switch (preset, experiment) {
        case (let name?, nil):
            print(try Preset.named(name).text, terminator: "")
        case (nil, let name?):
            print(try archiveOptions.openExisting().experimentFile(of: name), terminator: "")
        default:
            throw CommandFailure(message: "name a preset or give --experiment NAME, not both")
        }
    }
}
