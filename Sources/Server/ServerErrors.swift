import Analysis
import Archive
import Foundation
import Hummingbird
import Lab
import TimeSeries

/// Turns every error into a one-line answer, never a stack trace or a raw error dump: JSON `{"error": …}` under
/// `/api/` and for downloads, a small HTML page elsewhere. Unknown ids and labels are 404, bad parameters 400, a
/// checkpoint outside the archive 403, anything else 500.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let pages: PageRenderer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch {
            let (status, message) = Self.classify(error)
            let path = request.uri.path
            if path.hasPrefix("/api/") || path.hasSuffix(".h5") || path.hasPrefix("/static/") || path.hasSuffix(".svg") {
                return jsonResponse(.object([("error", .string(message))]), status: status)
            }
            return pages.errorPage(status: status, message: message)
        }
    }

    /// The status and one-line message of an error.
    static func classify(_ error: any Error) -> (HTTPResponse.Status, String) {
        switch error {
        case let error as RequestError: return (.badRequest, error.description)
        case let error as RequestError404: return (.notFound, error.description)
        case let error as BrowsingError:
            if case .checkpointOutsideArchive = error { return (.forbidden, error.description) }
            return (.notFound, error.description)
        case let error as AnalysisError:
            switch error {
            case .unknownConfiguration, .noFinishedRuns: return (.notFound, singleLine(error.description))
            default: return (.badRequest, singleLine(error.description))
            }
        case let error as ArchiveError:
            switch error {
            case .unknownRun(let id): return (.notFound, "no run with id \(id) in the archive")
            case .unknownExperiment: return (.notFound, singleLine(error.description))
            case .noSnapshot, .runNotFinished, .missingCheckpoint: return (.notFound, singleLine(error.description))
            // The archive names a checkpoint it cannot stand behind: altered, damaged, unreadable or elsewhere.
            case .checkpointHashMismatch, .checkpointOfAnotherRun, .damagedCheckpoint, .unreadableCheckpoint:
                return (.conflict, singleLine(error.description))
            default: return (.internalServerError, singleLine(error.description))
            }
        case let error as HTTPError:
            if error.status == .notFound { return (.notFound, "no such page or API endpoint") }
            return (error.status, error.body.map(singleLine) ?? error.status.reasonPhrase)
        default:
            return (.internalServerError, singleLine(String(describing: error)))
        }
    }
}

/// A message on one line of at most 500 characters.
func singleLine(_ text: String) -> String {
    let folded = foldedLines(text)
    return folded.count > 500 ? String(folded.prefix(497)) + "..." : folded
}

/// The security headers of every response: no sniffing, scripts only from this server.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.contentSecurityPolicy] =
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'"
        response.headers[.init("Referrer-Policy")!] = "no-referrer"
        return response
    }
}

/// Refuses requests whose `Host` is not this machine's loopback name when the server listens on loopback only: a web
/// page elsewhere whose domain is re-pointed at 127.0.0.1 (DNS rebinding) must not read the archive through the
/// visitor's browser. A request without `Host` (not from a browser) passes.
struct LoopbackHostMiddleware<Context: RequestContext>: RouterMiddleware {
    static var loopbackNames: Set<String> { ["127.0.0.1", "localhost", "[::1]", "::1"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        if let host = request.headers[.init("Host")!] ?? request.head.authority {
            let name = host.hasPrefix("[") ? String(host[...(host.firstIndex(of: "]") ?? host.index(before: host.endIndex))])
                : String(host.split(separator: ":", maxSplits: 1).first ?? "")
            guard Self.loopbackNames.contains(name.lowercased()) else {
                return jsonResponse(.object([("error", .string("this server answers to 127.0.0.1 and localhost only, not '\(singleLine(host))'"))]),
                                    status: .misdirectedRequest)
            }
        }
        return try await next(request, context)
    }

    /// Whether a listening address is loopback only.
    static func isLoopback(_ address: String) -> Bool {
        loopbackNames.contains(address.lowercased()) || address.hasPrefix("127.")
    }
}

/// A JSON response.
func jsonResponse(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
    Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
             body: ResponseBody(byteBuffer: ByteBuffer(bytes: value.encoded)))
}

/// Runs blocking archive reads off the server's event loops and Swift's cooperative threads.
func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        readQueue.async { continuation.resume(with: Result { try body() }) }
    }
}

private let readQueue = DispatchQueue(label: "lstmlab.serve.reads", attributes: .concurrent)
