import Foundation
import Hummingbird

/// The files the pages load: the server's own script and style sheet (`Resources/static`, compiled into the binary)
/// and Debian's dygraphs (`libjs-dygraphs`) from the system path. Only these names are served; no path from a request
/// ever reaches the file system.
struct Assets: Sendable {
    /// Where Debian's `libjs-dygraphs` installs the charting library.
    static let dygraphsFolder = "/usr/share/javascript/dygraphs"
    static let dygraphsMissing = "the charting library is missing: install Debian's libjs-dygraphs "
        + "(apt-get install libjs-dygraphs, or scripts/setup.sh), which puts it in \(dygraphsFolder)"

    /// Where a served file's bytes come from.
    private enum Source: Sendable {
        case embedded([UInt8])
        case file(path: String)
    }

    /// URL name → (source, content type).
    private let files: [String: (source: Source, contentType: String)]

    init(dygraphsFolder: String = Assets.dygraphsFolder) {
        files = [
            "app.js": (.embedded(PackageResources.app_js), "text/javascript; charset=utf-8"),
            "style.css": (.embedded(PackageResources.style_css), "text/css; charset=utf-8"),
            "dygraph.min.js": (.file(path: "\(dygraphsFolder)/dygraph.min.js"), "text/javascript; charset=utf-8"),
            "dygraph.min.css": (.file(path: "\(dygraphsFolder)/dygraph.min.css"), "text/css; charset=utf-8"),
        ]
        dygraphsPath = "\(dygraphsFolder)/dygraph.min.js"
    }

    /// The charting library's file, to tell whether it is installed.
    let dygraphsPath: String
    var hasDygraphs: Bool { FileManager.default.isReadableFile(atPath: dygraphsPath) }

    /// The file named `name`, or a JSON 404 (for dygraphs, one that says how to install it).
    func response(for name: String) throws -> Response {
        guard let file = files[name] else { throw HTTPError(.notFound) }
        let bytes: ByteBuffer
        switch file.source {
        case .embedded(let content):
            bytes = ByteBuffer(bytes: content)
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw RequestError404(description: Self.dygraphsMissing)
            }
            bytes = ByteBuffer(bytes: data)
        }
        return Response(status: .ok, headers: [.contentType: file.contentType, .cacheControl: "no-cache"],
                        body: ResponseBody(byteBuffer: bytes))
    }
}

/// Something the server would serve is not there; answered 404 with its message.
struct RequestError404: Error, CustomStringConvertible {
    var description: String
}
