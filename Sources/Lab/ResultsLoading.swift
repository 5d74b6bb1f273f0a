import Analysis
import Archive
import Experiment

extension Lab {
    /// An experiment's finished runs as values for the analyses; an unknown experiment or one without finished runs
    /// is an error.
    public func results(of name: String) throws -> ExperimentResults {
        let record = try store.experiment(named: name)
        let spec = try record.spec()
        let runsByLabel = Dictionary(grouping: try store.runs(experimentID: record.id!), by: \.configurationLabel)
        let configurations: [ConfigurationResults] = spec.configurations.compactMap { configuration in
            let mine = runsByLabel[configuration.label] ?? []
            let finished = mine.filter { $0.status == .finished }.sorted { $0.repeatIndex < $1.repeatIndex }
            guard !finished.isEmpty else { return nil }
            return ConfigurationResults(
                experiment: name, configuration: configuration, epochs: configuration.training(sharing: spec.training).epochs,
                runIDs: finished.map { $0.id! }, scores: finished.compactMap(\.finalTestRMSE),
                failedCount: mine.filter { $0.status == .failed }.count)
        }
        var results = try ExperimentResults(name: name, spec: spec, productVersion: record.productVersion,
                                            series: try record.series(), configurations: configurations)
        let variesSettings = spec.configurations.contains { !$0.settings.isEmpty }
        if record.experimentFile != nil || variesSettings { results.experimentFile = try experimentFile(of: name) }
        return results
    }

    /// The results of those of `names` the archive has with finished runs, by name.
    public func availableResults(of names: [String]) -> [String: ExperimentResults] {
        var found: [String: ExperimentResults] = [:]
        for name in names { found[name] = try? results(of: name) }
        return found
    }

    /// Mean, quartile bands and diagnostics of a configuration's curves, read from the archive (`curveSummaries`, the
    /// read `serve` uses).
    public func curveSummary(of configuration: ConfigurationResults, label: String? = nil) throws -> CurveSummary {
        try curveSummaries([CurveGroup(label: label ?? configuration.label, runIDs: configuration.runIDs,
                                       noCurves: .noCurves(configuration: configuration.label,
                                                           experiment: configuration.experiment))])[0].summary
    }

    /// One finished run's curve as its own summary, labelled `run N (configuration)` (`singleRunCurves`, as `serve`).
    public func curveSummary(ofRun runID: Int64) throws -> CurveSummary {
        try singleRunCurves(id: runID).summary
    }

    /// Every configuration of an experiment against its unregularized baseline (Holm-adjusted).
    public func comparisonsWithBaseline(experiment: String) throws -> (results: ExperimentResults, comparisons: [Comparison]) {
        let results = try results(of: experiment)
        return (results, try compareWithBaseline(results))
    }

    /// Two configurations, possibly of different experiments.
    public func compare(experiment: String, label: String, with otherExperiment: String, label otherLabel: String) throws
        -> Comparison
    {
        let a = try results(of: experiment)
        let b = otherExperiment == experiment ? a : try results(of: otherExperiment)
        return try compareConfigurations(try a.configuration(label), try b.configuration(otherLabel))
    }
}
