import Archive
import ArgumentParser
import Experiment
import Foundation
import NeuralNetwork
import TimeSeries

/// The `lstmlab` command: a reproducible archive of LSTM forecasting experiments on the Shampoo Sales series.
public struct LSTMLab: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "lstmlab",
        abstract: "Reproduce, archive and analyse the LSTM weight-regularization study on time series.",
        version: versionText,
        subcommands: [
            PersistenceCommand.self, PresetsCommand.self, RunCommand.self, RunsCommand.self, ShowCommand.self,
            ReproduceCommand.self, ForecastCommand.self, CheckCommand.self, SummaryCommand.self, CurvesCommand.self,
            CompareCommand.self, NotebookCommand.self, StudyCommand.self, VerifyKerasCommand.self, UpgradeCommand.self,
            MergeCommand.self, DiffCommand.self, SlurmCommand.self, ServeCommand.self, ExportCommand.self,
        ]
    )

    public init() {}

    /// Parses and runs a command as `ParsableCommand.main()` does (usage errors, `--help` and `--version` are
    /// ArgumentParser's), but prints any error a command throws as one line and exits with status 1: a Foundation
    /// file error becomes its path and the system's reason instead of an `NSError` dump.
    public static func main() {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exit(withError: error)
        }
        if let problem = LaneKernel.environmentProblem { exit(withError: CommandFailure(message: problem)) }
        do {
            try command.run()
            if let reason = CheckedOutput.shared.flush() {
                exit(withError: CommandFailure(message: "cannot write the output: \(reason)"))
            }
        } catch {
            _ = CheckedOutput.shared.flush()
            // ArgumentParser's own outcomes (help, version, usage errors, explicit exit codes) pass through.
            let code = exitCode(for: error)
            if error is ExitCode || error is CleanExit || error is ValidationError || code != .failure {
                exit(withError: error)
            }
            exit(withError: CommandFailure(message: oneLineMessage(for: error)))
        }
    }
}

/// What `lstmlab --version` prints: the product version, the commit the binary was built from (recorded at build
/// time, so a copy far from its checkout knows it) and the version of the engine's numerics.
let versionText = "lstmlab \(lstmlabVersion)\ncommit \(buildCommit)\nnumerics \(numericsVersion)"

/// The message of an error in one line: a Foundation file error as `cannot use PATH: reason`, any other error's
/// description with its line breaks folded.
func oneLineMessage(for error: any Error) -> String {
    let nsError = error as NSError
    if nsError.domain == NSCocoaErrorDomain || nsError.domain == NSPOSIXErrorDomain {
        let path = (nsError.userInfo[NSFilePathErrorKey] as? String) ?? (nsError.userInfo[NSURLErrorKey] as? URL)?.path
        return path.map { "cannot use \(oneLine($0, limit: 200)): \(fileErrorReason(error))" } ?? fileErrorReason(error)
    }
    return oneLine(foldedLines(String(describing: error)), limit: 1000)
}
