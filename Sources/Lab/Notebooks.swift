import Analysis
import Experiment
import NeuralNetwork
import Foundation

extension Lab {
    /// Writes `<directory>/<experiment>.md` and its figures from the archive; returns the notebook's path.
    @discardableResult
    public func writeNotebook(experiment name: String, directory: String) throws -> String {
        let results = try results(of: name)
        let summaries = try results.configurations.map { try curveSummary(of: $0) }
        let notebook = try ExperimentNotebook(results: results, summaries: summaries,
                                              recreateCommand: try commandRecreating(try store.experiment(named: name)))
        for file in notebook.render() { try write(file, into: directory) }
        return URL(fileURLWithPath: directory).appendingPathComponent("\(name).md").path
    }

    /// Writes `<directory>/README.md`, the study index over `experiments`; returns its path.
    @discardableResult
    public func writeStudyIndex(profiles: [KerasProfile], experiments: [String], directory: String) throws -> String {
        let index = StudyIndex(profiles: profiles, experiments: experiments, results: availableResults(of: experiments))
        let file = index.render()
        try write(file, into: directory)
        return URL(fileURLWithPath: directory).appendingPathComponent(file.path).path
    }

    /// Writes a rendered file atomically, creating its folders (`OutputFiles`: never over the archive's files or a
    /// file lstmlab does not write).
    func write(_ file: NotebookFile, into directory: String) throws {
        let url = URL(fileURLWithPath: directory).appendingPathComponent(file.path)
        let folder = url.deletingLastPathComponent().path
        try OutputFiles.checkOutputFolder(folder, option: "the notebooks folder", archive: store.path)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try OutputFiles.writeOutputFile(Data(file.contents.utf8), to: url.path, option: "the notebook file", archive: store.path)
    }
}
