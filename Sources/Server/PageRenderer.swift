import Foundation
import Hummingbird
import Mustache

/// The HTML pages, rendered from the Mustache templates of `Resources/templates`, compiled into the binary (every
/// `{{value}}` HTML-escaped).
struct PageRenderer: Sendable {
    private let library: MustacheLibrary
    /// What every page shows: the archive's path and whether the charting library is there.
    private let archivePath: String
    private let hasDygraphs: Bool

    init(archivePath: String, hasDygraphs: Bool) throws {
        self.archivePath = archivePath
        self.hasDygraphs = hasDygraphs
        var library = MustacheLibrary()
        let templates = [("header", PackageResources.header_mustache), ("footer", PackageResources.footer_mustache),
                         ("experiments", PackageResources.experiments_mustache),
                         ("experiment", PackageResources.experiment_mustache),
                         ("compare", PackageResources.compare_mustache), ("run", PackageResources.run_mustache),
                         ("error", PackageResources.error_mustache)]
        for (name, bytes) in templates {
            try library.register(String(decoding: bytes, as: UTF8.self), named: name)
        }
        self.library = library
    }

    /// A page from `template` with `values`, as `text/html; charset=utf-8`.
    func page(_ template: String, _ values: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        let html = library.render(values.merging(["archive": archivePath, "hasDygraphs": hasDygraphs,
                                                   "dygraphsMessage": Assets.dygraphsMissing]) { mine, _ in mine }, withTemplate: template) ?? "<!doctype html><title>lstmlab</title>"
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    func errorPage(status: HTTPResponse.Status, message: String) -> Response {
        page("error", ["title": "\(status.code) \(status.reasonPhrase)", "page": "error", "message": message],
             status: status)
    }
}
