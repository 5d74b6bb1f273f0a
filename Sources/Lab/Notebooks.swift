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

    /// Writes `<directory>/README.md`, the study index over `experiments`, with the family's section when any of its
    /// studies is among them; returns its path.
    @discardableResult
    public func writeStudyIndex(profiles: [KerasProfile], experiments: [String], directory: String) throws -> String {
        let index = StudyIndex(profiles: profiles, experiments: experiments, results: availableResults(of: experiments))
        var file = index.render()
        let family = try familyNotebooks(profiles: profiles, experiments: experiments)
        if !family.isEmpty {
            file.contents += "\n" + FamilyIndex(profiles: profiles, notebooks: family).markdownLines.joined(separator: "\n")
        }
        try write(file, into: directory)
        return URL(fileURLWithPath: directory).appendingPathComponent(file.path).path
    }

    /// Writes the notebook of each family study among `experiments` (`family-<preset>.md`, both profiles side by side,
    /// beside the published tables); returns their paths.
    @discardableResult
    public func writeFamilyNotebooks(profiles: [KerasProfile], experiments: [String], directory: String) throws -> [String] {
        try familyNotebooks(profiles: profiles, experiments: experiments).map { notebook in
            for file in notebook.render() { try write(file, into: directory) }
            return URL(fileURLWithPath: directory).appendingPathComponent(notebook.path).path
        }
    }

    /// The family studies with at least one profile's experiment among `experiments`, each with the results (and, for
    /// the studies whose posts draw curves, the curves) of its profiles' experiments.
    func familyNotebooks(profiles: [KerasProfile], experiments: [String]) throws -> [FamilyNotebook] {
        try FamilyStudy.all.compactMap { study in
            let results = try profiles.compactMap { profile -> ProfileResults? in
                let name = study.experimentName(profile)
                guard experiments.contains(name) else { return nil }
                let results = try self.results(of: name)
                let curves = study.drawsCurves ? try results.configurations.map { try curveSummary(of: $0) } : []
                return ProfileResults(profile: profile, results: results, curves: curves)
            }
            return results.isEmpty ? nil : FamilyNotebook(study: study, profiles: results)
        }
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
