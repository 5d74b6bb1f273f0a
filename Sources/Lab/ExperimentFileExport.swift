import Archive
import Experiment
import TimeSeries

extension Lab {
    /// A file that re-runs an archived experiment bit for bit: the file it was run from when that file alone gives
    /// the archived specification and series source, otherwise one written from the archived specification.
    public func experimentFile(of name: String) throws -> String {
        let record = try store.experiment(named: name)
        let spec = try record.spec()
        let series = try record.series()
        let data = series.sourcePath.map { DataSource.csv(path: $0, column: series.sourceColumn) }
        if let text = record.experimentFile, let file = try? ExperimentFile(text: text, path: "\(name).yaml"),
           file.spec() == spec, file.data ?? .shampooSales == data ?? .shampooSales {
            return text
        }
        return ExperimentFile.text(for: spec, data: data,
                                   comment: "Re-runs experiment \(name) as archived: `lstmlab run \(name).yaml`")
    }
}
