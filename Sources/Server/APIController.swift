import Analysis
import Hummingbird
import Lab

/// The JSON API: experiments, their summaries, comparisons, runs and aggregated curves; curves of chosen
/// configurations and runs across experiments; one run, its epochs and its forecast at an epoch.
struct APIController: Sendable {
    let lab: Lab

    /// Default points per configuration of aggregated curves: 7 200 shared by the configurations (at most about
    /// 0.8 MB of JSON), at least 10.
    static func defaultAggregatedPoints(configurations: Int) -> Int { max(10, 7200 / max(1, configurations)) }
    /// Default points per run of run curves: 24 000 shared by the runs (about 1 MB), at least 10.
    static func defaultRunPoints(runs: Int) -> Int { max(10, 24_000 / max(1, runs)) }

    func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get("/api/experiments") { _, _ in try await json { try experiments() } }
        router.get("/api/experiments/{id}") { _, context in
            let id = try parseID(context.parameters.get("id"), what: "experiment")
            return try await json { try experiment(id) }
        }
        router.get("/api/experiments/{id}/summary") { _, context in
            let id = try parseID(context.parameters.get("id"), what: "experiment")
            return try await json { try summary(id) }
        }
        router.get("/api/experiments/{id}/comparisons") { _, context in
            let id = try parseID(context.parameters.get("id"), what: "experiment")
            return try await json { try comparisons(id) }
        }
        router.get("/api/experiments/{id}/runs") { _, context in
            let id = try parseID(context.parameters.get("id"), what: "experiment")
            return try await json { try runs(id) }
        }
        router.get("/api/experiments/{id}/curves") { request, context in
            let id = try parseID(context.parameters.get("id"), what: "experiment")
            let query = QueryParameters(request.uri.query)
            return try await json { try experimentCurves(id, query: query) }
        }
        router.get("/api/configurations") { _, _ in try await json { try configurations() } }
        router.get("/api/curves") { request, _ in
            let query = QueryParameters(request.uri.query)
            return try await json { try curves(query: query) }
        }
        router.get("/api/curves/runs") { request, _ in
            let query = QueryParameters(request.uri.query)
            return try await json { try runCurves(query: query) }
        }
        router.get("/api/runs/{id}") { _, context in
            let id = try parseID(context.parameters.get("id"), what: "run")
            return try await json { try run(id) }
        }
        router.get("/api/runs/{id}/epochs") { request, context in
            let id = try parseID(context.parameters.get("id"), what: "run")
            let query = QueryParameters(request.uri.query)
            return try await json { try epochs(id, query: query) }
        }
        router.get("/api/runs/{id}/forecast") { request, context in
            let id = try parseID(context.parameters.get("id"), what: "run")
            let query = QueryParameters(request.uri.query)
            return try await json { try forecast(id, query: query) }
        }
    }

    // Each endpoint's body: the JSON value the route above answers with.

    func experiments() throws -> JSONValue { .array(try lab.experimentOverviews().map(APIPayloads.experiment)) }

    func experiment(_ id: Int64) throws -> JSONValue { APIPayloads.experiment(try lab.experimentOverview(id: id)) }

    func summary(_ id: Int64) throws -> JSONValue { APIPayloads.summary(try lab.configurationSummaries(experimentID: id)) }

    func comparisons(_ id: Int64) throws -> JSONValue {
        let name = try lab.experimentOverview(id: id).record.name
        return APIPayloads.comparisons(try lab.comparisonsWithBaseline(experiment: name).comparisons)
    }

    func runs(_ id: Int64) throws -> JSONValue {
        let name = try lab.experimentOverview(id: id).record.name
        let listing = try lab.runListing(experiment: name)
        try QueryParameters.checkSize(values: APIPayloads.runRecordFields * listing.count)
        return .array(listing.map { APIPayloads.runRecord($0.record) })
    }

    func experimentCurves(_ id: Int64, query: QueryParameters) throws -> JSONValue {
        let curves = try lab.configurationCurves(experimentID: id)
        let sampling = try query.sampling(defaultMaxPoints: Self.defaultAggregatedPoints(configurations: curves.count))
        try QueryParameters.checkSize(values: curves.reduce(0) { $0 + 6 * sampling.indices(of: $1.summary.epochs).count })
        return APIPayloads.aggregatedCurves(curves, sampling: sampling)
    }

    func configurations() throws -> JSONValue { APIPayloads.configurations(try lab.finishedConfigurations()) }

    func curves(query: QueryParameters) throws -> JSONValue {
        let references = try query.configurations()
        let sampling = try query.sampling(defaultMaxPoints: Self.defaultAggregatedPoints(configurations: references.count))
        let curves = try lab.configurationCurves(references)
        try QueryParameters.checkSize(values: curves.reduce(0) { $0 + 6 * sampling.indices(of: $1.summary.epochs).count })
        return APIPayloads.aggregatedCurves(curves, sampling: sampling)
    }

    func runCurves(query: QueryParameters) throws -> JSONValue {
        let references = try query.configurations(), runIDs = try query.runIDs()
        var curves = try lab.configurationCurves(references)
        for id in runIDs { curves.append(try lab.singleRunCurves(id: id)) }
        let runCount = curves.reduce(0) { $0 + $1.runIDs.count }
        let sampling = try query.sampling(defaultMaxPoints: Self.defaultRunPoints(runs: runCount))
        try QueryParameters.checkSize(values: curves.reduce(0) { $0 + 2 * $1.runIDs.count * sampling.indices(of: $1.summary.epochs).count })
        return APIPayloads.runCurves(curves, sampling: sampling)
    }

    func run(_ id: Int64) throws -> JSONValue {
        let details = try lab.runDetails(id: id)
        let snapshots = (try? lab.snapshotEpochs(runID: id)) ?? []
        return APIPayloads.run(details, snapshotEpochs: snapshots)
    }

    func epochs(_ id: Int64, query: QueryParameters) throws -> JSONValue {
        let sampling = try query.sampling(defaultMaxPoints: nil)
        let curve = try lab.runCurve(id: id).curve
        try QueryParameters.checkSize(values: 4 * sampling.indices(of: curve.map(\.epoch)).count)
        return APIPayloads.epochs(curve, sampling: sampling)
    }

    func forecast(_ id: Int64, query: QueryParameters) throws -> JSONValue {
        let epoch = try query.integer("epoch", in: 1...1_000_000)
        let forecast = try lab.forecast(runID: id, epoch: epoch)
        try QueryParameters.checkSize(values: 4 * (forecast.testMonths.count + 1))
        return APIPayloads.forecast(forecast)
    }

    private func json(_ body: @escaping @Sendable () throws -> JSONValue) async throws -> Response {
        jsonResponse(try await blocking(body))
    }
}
