import Analysis
import Archive
import Foundation
import Hummingbird
import Lab

/// The HTML pages: experiments, one experiment, compare, one run; the box plot and the checkpoint download.
/// Tables are rendered here; the charts are drawn in the browser from the JSON API.
struct PagesController: Sendable {
    let lab: Lab
    let pages: PageRenderer
    let assets: Assets

    func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get("/") { _, _ in try await experimentsPage() }
        router.get("/experiments/{id}") { _, context in
            try await experimentPage(try parseID(context.parameters.get("id"), what: "experiment"))
        }
        router.get("/experiments/{id}/boxplot.svg") { _, context in
            let id = try parseID(context.parameters.get("id"), what: "experiment")
            let svg = try await blocking { [lab] in
                let results = try lab.results(ofExperimentID: id)
                return boxPlotSVG(title: "\(results.name): final test RMSE per configuration",
                                  samples: results.configurations.map { ($0.label, $0.scores) })
            }
            return Response(status: .ok, headers: [.contentType: "image/svg+xml; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: svg)))
        }
        router.get("/compare") { request, _ in try await comparePage(QueryParameters(request.uri.query)) }
        router.get("/runs/{id}") { _, context in try await runPage(try parseID(context.parameters.get("id"), what: "run")) }
        router.get("/runs/{id}/checkpoint.h5") { _, context in
            let id = try parseID(context.parameters.get("id"), what: "run")
            let data = try await blocking { [lab] in try lab.checkpointDownload(runID: id) }
            return Response(status: .ok, headers: [.contentType: "application/x-hdf5",
                                                   .contentDisposition: "attachment; filename=\"run-\(id).h5\""],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.get("/static/{name}") { _, context in try assets.response(for: context.parameters.get("name") ?? "") }
    }

    func experimentsPage() async throws -> Response {
        let overviews = try await blocking { [lab] in try lab.experimentOverviews() }
        var values: [String: Any] = [:]
        values["title"] = "Experiments"
        values["page"] = "experiments"
        values["experiments"] = overviews.map(Self.experimentRow)
        values["empty"] = overviews.isEmpty
        return pages.page("experiments", values)
    }

    static func experimentRow(_ o: ExperimentOverview) -> [String: Any] {
        ["id": String(o.id), "name": o.record.name, "preset": o.record.preset, "profile": o.spec.training.profile.name,
         "finished": o.finished, "expected": o.expected, "failed": o.failed, "running": o.running,
         "created": String(o.record.createdAt.prefix(19)).replacingOccurrences(of: "T", with: " "),
         "provenance": "lstmlab \(o.record.productVersion) (\(o.record.gitCommit.prefix(12))), \(o.record.host), \(o.record.os)"]
    }

    func experimentPage(_ id: Int64) async throws -> Response {
        let (overview, results, summaries, comparisons) = try await blocking { [lab] in
            let overview = try lab.experimentOverview(id: id)
            let results = try? lab.results(ofExperimentID: id)
            let summaries = results == nil ? [] : try lab.configurationSummaries(experimentID: id)
            let comparisons = results == nil ? nil : try? lab.comparisonsWithBaseline(experiment: overview.record.name).comparisons
            return (overview, results, summaries, comparisons)
        }
        var values: [String: Any] = [:]
        values["title"] = overview.record.name
        values["page"] = "experiment"
        values["experiment"] = Self.experimentRow(overview)
        values["experimentID"] = String(id)
        values["seed"] = String(overview.record.seed)
        // Configurations that set their own epochs show each length: `60/120 epochs`.
        values["epochs"] = Set(overview.spec.trainingSettings.map(\.epochs)).sorted().map(String.init).joined(separator: "/")
        values["experimentFile"] = overview.record.experimentFile ?? ""
        values["hasExperimentFile"] = overview.record.experimentFile != nil
        values["repeats"] = overview.spec.repeats
        values["cpu"] = overview.record.cpuModel
        values["swift"] = overview.record.swiftVersion
        values["hasResults"] = results != nil
        values["incomplete"] = results?.incompleteness ?? ""
        values["isIncomplete"] = results?.incompleteness != nil
        values["describe"] = summaries.map { item -> [String: Any] in
            let d = item.description
            return ["configuration": item.label, "failed": item.failed,
                    "cells": d.rows.map { $0.name == "count" ? String(d.count) : ($0.value.isNaN ? "NaN" : fixed($0.value, decimals: 6)) }]
        }
        values["diagnostics"] = summaries.map { item -> [String: Any] in
            let d = item.diagnostics
            return ["configuration": item.label, "bestEpoch": d.bestEpoch, "bestTest": format3(d.bestTestRMSE),
                    "finalTrain": format3(d.finalTrainRMSE), "finalTest": format3(d.finalTestRMSE),
                    "gap": signed(d.finalGap), "onset": d.overfittingOnset.map(String.init) ?? "none"]
        }
        values["configurations"] = (results?.configurations ?? []).map { ["label": $0.label, "runs": $0.runIDs.count] }
        values["compareQuery"] = (results?.configurations ?? []).map { "c=" + queryEncoded("\(id):\($0.label)") }
            .joined(separator: "&")
        if let comparisons {
            values["comparisonColumns"] = comparisonColumnNames
            values["comparisons"] = comparisons.map { ["cells": comparisonCells($0)] }
            values["baseline"] = results?.baseline?.label ?? ""
        }
        values["hasDiagnostics"] = !summaries.isEmpty
        return pages.page("experiment", values)
    }

    func comparePage(_ query: QueryParameters) async throws -> Response {
        let listings = try await blocking { [lab] in try lab.finishedConfigurations() }
        let selected = Set(query.all("c"))
        var groups: [(id: Int64, name: String, items: [[String: Any]])] = []
        for listing in listings {
            let value = "\(listing.experimentID):\(listing.label)"
            let item: [String: Any] = ["value": value, "label": listing.label, "finished": listing.finished,
                                       "checked": selected.contains(value)]
            if groups.last?.id == listing.experimentID { groups[groups.count - 1].items.append(item) } else {
                groups.append((listing.experimentID, listing.experiment, [item]))
            }
        }
        var values: [String: Any] = [:]
        values["title"] = "Compare"
        values["page"] = "compare"
        values["groups"] = groups.map { group -> [String: Any] in
            ["name": group.name, "items": group.items, "open": group.items.contains { $0["checked"] as? Bool == true }]
        }
        values["runs"] = query.all("r").joined(separator: " ")
        values["empty"] = listings.isEmpty
        return pages.page("compare", values)
    }

    func runPage(_ id: Int64) async throws -> Response {
        let (details, snapshots) = try await blocking { [lab] in
            (try lab.runDetails(id: id), (try? lab.snapshotEpochs(runID: id)) ?? [])
        }
        let record = details.record, experiment = details.experiment, training = details.configuration.training
        let penalties = details.configuration.configuration.regularization
        var values: [String: Any] = [:]
        values["title"] = "Run \(id)"
        values["page"] = "run"
        values["runID"] = String(id)
        values["experimentID"] = String(experiment.id!)
        values["experiment"] = experiment.name
        values["configuration"] = record.configurationLabel
        values["repeat"] = record.repeatIndex + 1
        values["status"] = record.status.rawValue
        if let error = record.error, !error.isEmpty { values["error"] = error }
        values["seed"] = String(record.runSeed)
        values["experimentSeed"] = String(experiment.seed)
        values["settings"] = "profile \(training.profile.name), units \(training.units), batch \(training.batchSize), "
            + "lag \(training.lag), test size \(training.testSize), epochs \(training.epochs), learning rate \(training.learningRate)"
        values["penalties"] = "kernel \(penalties.kernel.label), recurrent \(penalties.recurrentKernel.label), "
            + "bias \(penalties.bias.label), activity \(penalties.activity.label)"
        values["provenance"] = "lstmlab \(record.productVersion) (commit \(record.gitCommit)), host \(record.host), "
            + "engine \(record.engine)"
        values["started"] = record.startedAt
        values["ended"] = record.endedAt ?? "–"
        values["numerics"] = record.numericsVersion
        if let train = record.finalTrainRMSE, let test = record.finalTestRMSE {
            values["final"] = "train \(format3(train)), test \(format3(test))"
        }
        if let best = details.bestEpoch { values["best"] = "\(format3(best.testRMSE)) at epoch \(best.epoch)" }
        values["checkpoint"] = details.checkpoint.map { "\($0.state)" } ?? ""
        values["hasCheckpoint"] = details.checkpoint != nil
        values["snapshots"] = snapshots.map { ["epoch": $0, "selected": $0 == snapshots.last] }
        values["hasSnapshots"] = !snapshots.isEmpty
        values["recreate"] = details.recreateCommand
        return pages.page("run", values)
    }
}

/// A query value percent-encoded (letters, digits and `-._~` kept).
func queryEncoded(_ text: String) -> String {
    var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
    allowed.insert(charactersIn: "-._~")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
}
