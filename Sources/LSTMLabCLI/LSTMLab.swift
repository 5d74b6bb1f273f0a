import ArgumentParser
import Experiment

/// The `lstmlab` command: a reproducible archive of LSTM forecasting experiments on the Shampoo Sales series.
public struct LSTMLab: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "lstmlab",
        abstract: "Reproduce, archive and analyse the LSTM weight-regularization study on time series.",
        version: lstmlabVersion,
        subcommands: [
            PersistenceCommand.self, PresetsCommand.self, RunCommand.self, RunsCommand.self, ShowCommand.self,
            ReproduceCommand.self, ForecastCommand.self, CheckCommand.self, SummaryCommand.self, CurvesCommand.self,
            CompareCommand.self, NotebookCommand.self, StudyCommand.self, VerifyKerasCommand.self,
        ]
    )

    public init() {}
}
