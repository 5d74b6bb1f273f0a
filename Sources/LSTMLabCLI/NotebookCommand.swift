import ArgumentParser
import Lab

/// `lstmlab notebook EXPERIMENT`: write an experiment's markdown notebook and figures.
struct NotebookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notebook",
        abstract: "Write notebooks-md/<experiment>.md and its SVG figures from the archive.")

    @Argument(help: "The experiments to write notebooks for.")
    var experiments: [String] = []

    @Option(name: .long, help: "The notebooks folder.")
    var directory = "notebooks-md"

    @OptionGroup var archiveOptions: ArchiveOptions

    func run() throws {
        guard !experiments.isEmpty else { throw CommandFailure(message: "name at least one experiment") }
        try checkWritableDirectory(directory, option: "--directory", archive: archiveOptions.archive)
        let lab = try archiveOptions.openExisting()
        for experiment in experiments { print("wrote \(try lab.writeNotebook(experiment: experiment, directory: directory))") }
    }
}
