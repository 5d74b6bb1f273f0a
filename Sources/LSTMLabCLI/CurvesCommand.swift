import Analysis
import ArgumentParser
import Experiment
import Foundation
import Lab

/// `lstmlab curves`: behaviour dynamics — mean train and test RMSE per epoch, with diagnostics.
struct CurvesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "curves",
        abstract: "Plot mean train and test RMSE per epoch (with IQR bands) and print over-fitting diagnostics.",
        discussion: "Select whole experiments with --experiment (repeatable; curves of several experiments are "
            + "overlaid), narrow them with --configuration, or pick single runs with --run. Over-fitting onset: the "
            + "minimum of the mean test curve smoothed over \(CurveDiagnostics.smoothingWindow) epochs, when the "
            + "smoothed test RMSE then rises by at least \(CurveDiagnostics.minimumRise) while the smoothed train RMSE falls.")

    @Option(name: .long, help: "An experiment whose configurations to plot (repeatable).")
    var experiment: [String] = []

    @Option(name: .long, help: "Only this configuration label (repeatable), e.g. 'kernel L1L2(0.01,0.01)'.")
    var configuration: [String] = []

    @Option(name: .customLong("run"), help: "A single run to plot as its own curve (repeatable).")
    var runIDs: [String] = []

    @Option(name: .long, help: "Also draw this many runs' own curves faintly per configuration.")
    var faintRuns = 0

    @Option(name: .long, help: ArgumentHelp("The SVG file to write.", valueName: "file.svg"))
    var output = "curves.svg"

    @OptionGroup var archiveOptions: ArchiveOptions

    func run() throws {
        guard !experiment.isEmpty || !runIDs.isEmpty else {
            throw CommandFailure(message: "give at least one --experiment or --run")
        }
        try checkSetting("--faint-runs", faintRuns, SettingLimits.faintRuns)
        try checkWritableFile(output, option: "--output", archive: archiveOptions.archive)
        let lab = try archiveOptions.openExisting()
        var summaries: [CurveSummary] = []
        for name in experiment {
            let results = try lab.results(of: name)
            warnIfIncomplete(results)
            let chosen = try configuration.isEmpty ? results.configurations : configuration.map { try results.configuration($0) }
            for item in chosen {
                let label = experiment.count > 1 ? "\(name): \(item.label)" : item.label
                summaries.append(try lab.curveSummary(of: item, label: label))
            }
        }
        for text in runIDs { summaries.append(try lab.curveSummary(ofRun: try parseRunID(text))) }
        let epochCounts = Set(summaries.map(\.epochs.count))
        if epochCounts.count > 1 { FileHandle.standardError.write(Data("note: the curves have different numbers of epochs\n".utf8)) }
        let title = experiment.count == 1 && runIDs.isEmpty ? "\(experiment[0]): mean train and test RMSE per epoch"
            : "Train and test RMSE per epoch"
        let svg = curvesSVG(title: title, series: summaries.map { $0.chartSeries(faintRuns: faintRuns) })
        try writeOutputFile(svg, to: output, option: "--output", archive: archiveOptions.archive)
        print("configuration\tbest_epoch\tbest_test_rmse\tfinal_test_rmse\tfinal_train_rmse\tfinal_gap\toverfitting_onset")
        for summary in summaries {
            let d = summary.diagnostics
            print("\(summary.label)\t\(d.bestEpoch)\t\(format3(d.bestTestRMSE))\t\(format3(d.finalTestRMSE))\t"
                  + "\(format3(d.finalTrainRMSE))\t\(format3(d.finalGap))\t\(d.overfittingOnset.map(String.init) ?? "none")")
        }
        FileHandle.standardError.write(Data("curves written to \(output)\n".utf8))
    }
}
