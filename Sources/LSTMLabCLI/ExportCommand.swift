import ArgumentParser
import Foundation
import Lab

/// `lstmlab export`: the archived results in long form, for pandas, polars, R or a spreadsheet.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write every epoch of every finished run, or each run's final scores, as CSV or JSON Lines.",
        discussion: "One row per epoch: run, experiment, configuration, repeat, seed, epoch, train_rmse, test_rmse, "
            + "loss; with --scores one row per run: run, experiment, configuration, repeat, seed, epochs, train_rmse, "
            + "test_rmse. Numbers are written in the shortest form that reads back as the archived double, bit for bit "
            + "(in pandas: read_csv, or read_json(..., lines=True, precise_float=True)).")

    @OptionGroup var archiveOptions: ArchiveOptions

    @Option(name: .long, help: "Only the runs of this experiment.")
    var experiment: String?

    @Option(name: .long, help: "csv (a header row, fields quoted where needed) or jsonl (one JSON object per line).")
    var format: ExportFormat = .csv

    @Flag(name: .long, help: "One row per run with its final train and test RMSE, instead of one row per epoch.")
    var scores = false

    @Option(name: .long, help: ArgumentHelp("The file to write, instead of standard output: a new file or a regular file, "
                                            + "replaced once the export is complete.", valueName: "file"))
    var output: String?

    func run() throws {
        let lab = try archiveOptions.openExisting()
        let archive = lab.archivePath
        let file = try output.map {
            try StreamedOutputFile(path: $0, option: "--output",
                                   protected: [archive, archive + "-wal", archive + "-shm", archive + "-journal"],
                                   protectedFolders: [lab.checkpointsDirectory])
        }
        do {
            try lab.export(scores ? .scores : .epochs, experiment: experiment, format: format) { text in
                if let file { try file.write(text) } else { print(text, terminator: "") }
            }
            try file?.commit()
        } catch {
            file?.discard()
            throw error
        }
    }
}

extension ExportFormat: ExpressibleByArgument {}
