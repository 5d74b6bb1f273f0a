import Analysis
import Archive
import Experiment

/// How `export` writes its rows: CSV with a header row (fields quoted where they hold a comma, quote or line break),
/// or JSON Lines (one object per row, keys in column order).
public enum ExportFormat: String, Sendable, CaseIterable {
    case csv, jsonl
}

/// What `export` writes, in long form: one row per epoch of every finished run, or one row of final scores per
/// finished run.
public enum ExportTable: Sendable {
    case epochs, scores

    /// The column names, in order.
    public var columns: [String] {
        switch self {
        case .epochs: ["run", "experiment", "configuration", "repeat", "seed", "epoch", "train_rmse", "test_rmse", "loss"]
        case .scores: ["run", "experiment", "configuration", "repeat", "seed", "epochs", "train_rmse", "test_rmse"]
        }
    }
}

/// One cell of an exported row.
enum ExportCell {
    case text(String)
    case integer(Int64)
    case number(Double)
}

extension Lab {
    /// Writes the finished runs of `experiment` (of every experiment when nil), in run-id order, as `table` in
    /// `format`; `write` receives the text a run at a time (the header first), so the archive is never held whole.
    /// `repeat` counts from 1, as `lstmlab runs` shows it. Numbers are written in the shortest form that reads back
    /// as the same double (Swift's `description`), so a reader that rounds correctly gets the archived bits. An unknown
    /// experiment is an error.
    public func export(_ table: ExportTable, experiment: String? = nil, format: ExportFormat,
                       to write: (String) throws -> Void) throws {
        let names = Dictionary(uniqueKeysWithValues: try store.experiments().map { ($0.id!, $0.name) })
        let experimentID = try experiment.map { try store.experiment(named: $0).id! }
        let runs = try store.runs(experimentID: experimentID, status: .finished)
        if format == .csv { try write(table.columns.joined(separator: ",") + "\n") }
        for run in runs {
            let leading: [ExportCell] = [.integer(run.id!), .text(names[run.experimentID] ?? "?"),
                                         .text(run.configurationLabel), .integer(Int64(run.repeatIndex + 1)),
                                         .integer(run.runSeed)]
            var rows: [[ExportCell]] = []
            switch table {
            case .epochs:
                rows = try store.curve(runID: run.id!).map { epoch in
                    leading + [.integer(Int64(epoch.epoch)), .number(epoch.trainRMSE), .number(epoch.testRMSE),
                               .number(epoch.loss)]
                }
            case .scores:
                guard let train = run.finalTrainRMSE, let test = run.finalTestRMSE else { continue }
                let epochs = try run.configuration().training.epochs
                rows = [leading + [.integer(Int64(epochs)), .number(train), .number(test)]]
            }
            try write(rows.map { Self.line($0, columns: table.columns, format: format) }.joined())
        }
    }

    /// A row as one line of `format`, with its line break.
    private static func line(_ cells: [ExportCell], columns: [String], format: ExportFormat) -> String {
        switch format {
        case .csv:
            return cells.map { cell in
                switch cell {
                case .text(let text): csvField(text)
                case .integer(let value): String(value)
                case .number(let value): value.description
                }
            }.joined(separator: ",") + "\n"
        case .jsonl:
            let members = zip(columns, cells).map { column, cell -> (String, JSONValue) in
                switch cell {
                case .text(let text): (column, .string(text))
                case .integer(let value): (column, .integer(value))
                case .number(let value): (column, .number(value))
                }
            }
            return String(decoding: JSONValue.object(members).encoded, as: UTF8.self) + "\n"
        }
    }
}
