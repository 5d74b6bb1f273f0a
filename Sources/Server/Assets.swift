import Foundation
import Hummingbird

/// The files the pages load: the server's own script and style sheet (resources of this module) and Debian's
/// dygraphs (`libjs-dygraphs`) from the system path. Only these names are served; no path from a request ever
/// reaches the file system.
struct Assets: Sendable {
    /// Where Debian's `libjs-dygraphs` installs the charting library.
    static let dygraphsFolder = "/usr/share/javascript/dygraphs"
    static let dygraphsMissing = "the charting library is missing: install Debian's libjs-dygraphs "
        + "(apt-get install libjs-dygraphs, or scripts/setup.sh), which puts it in \(dygraphsFolder)"

    /// URL name → (file, content type).
    private let files: [String: (path: String, contentType: String)]

    init(dygraphsFolder: String = Assets.dygraphsFolder) {
        let resources = resourceFolder("static").path
        files = [
            "app.js": ("\(resources)/app.js", "text/javascript; charset=utf-8"),
            "style.css": ("\(resources)/style.css", "text/css; charset=utf-8"),
            "dygraph.min.js": ("\(dygraphsFolder)/dygraph.min.js", "text/javascript; charset=utf-8"),
            "dygraph.min.css": ("\(dygraphsFolder)/dygraph.min.css", "text/css; charset=utf-8"),
        ]
        dygraphsPath = "\(dygraphsFolder)/dygraph.min.js"
    }

    /// The charting library's file, to tell whether it is installed.
    let dygraphsPath: String
    var hasDygraphs: Bool { FileManager.default.isReadableFile(atPath: dygraphsPath) }

    /// The file named `name`, or a JSON 404 (for dygraphs, one that says how to install it).
    func response(for name: String) throws -> Response {
        guard let file = files[name] else { throw HTTPError(.notFound) }
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw RequestError404(description: name.hasPrefix("dygraph") ? Self.dygraphsMissing : "\(name) is missing")
        }
        return Response(status: .ok, headers: [.contentType: file.contentType, .cacheControl: "no-cache"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Something the server would serve is not there; answered 404 with its message.
struct RequestError404: Error, CustomStringConvertible {
    var description: String
}

/// A folder of this module's resources (`Resources/<name>`, copied whole into the resource bundle).
func resourceFolder(_ name: String) -> URL {
    Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Resources")
        ?? Bundle.module.bundleURL.appendingPathComponent("Resources").appendingPathComponent(name)
}
