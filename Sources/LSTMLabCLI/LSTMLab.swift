import ArgumentParser

/// The `lstmlab` command: a reproducible archive of LSTM forecasting experiments on the Shampoo Sales series.
public struct LSTMLab: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "lstmlab",
        abstract: "Reproduce, archive and analyse the LSTM weight-regularization study on time series.",
        version: productVersion,
        subcommands: [
            PersistenceCommand.self, PresetsCommand.self, RunCommand.self, VerifyKerasCommand.self,
        ]
    )

    public init() {}
}

/// The product's version, recorded with every experiment.
public let productVersion = "0.1.0"
