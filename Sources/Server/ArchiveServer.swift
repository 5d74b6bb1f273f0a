import Foundation
import Hummingbird
import Lab
import Logging

/// `lstmlab serve`: a read-only web view of an archive. It holds no workflow: every route parses its request,
/// calls one read use case of `Lab` and renders JSON or an HTML template.
public struct ArchiveServer: Sendable {
    public let lab: Lab
    let pages: PageRenderer
    let assets: Assets

    /// A server over `lab` (open it with `Lab.reading(archive:)`); `dygraphsFolder` is where the charting library is.
    public init(lab: Lab, dygraphsFolder: String = "/usr/share/javascript/dygraphs") throws {
        self.lab = lab
        assets = Assets(dygraphsFolder: dygraphsFolder)
        pages = try PageRenderer(archivePath: lab.archivePath, hasDygraphs: assets.hasDygraphs)
    }

    /// Whether a listening address is this machine's loopback only (then other host names are refused).
    public static func isLoopback(_ address: String) -> Bool {
        LoopbackHostMiddleware<BasicRequestContext>.isLoopback(address)
    }

    /// Whether Debian's dygraphs is installed where the pages load it from.
    public var hasDygraphs: Bool { assets.hasDygraphs }
    /// What to do when it is not.
    public static let dygraphsMissingMessage = Assets.dygraphsMissing

    /// Every route, behind the error and security-header middleware; with `listeningOn` a loopback address, only
    /// requests addressed to a loopback name are answered.
    public func router(listeningOn address: String? = nil) -> Router<BasicRequestContext> {
        // HEAD answers as GET without the body.
        let router = Router(options: .autoGenerateHeadEndpoints)
        router.middlewares.add(SecurityHeadersMiddleware())
        if let address, Self.isLoopback(address) {
            router.middlewares.add(LoopbackHostMiddleware())
        }
        router.middlewares.add(ErrorMiddleware(pages: pages))
        PagesController(lab: lab, pages: pages, assets: assets).addRoutes(to: router)
        APIController(lab: lab).addRoutes(to: router)
        return router
    }

    /// The application listening on `host:port` (port 0: any free port); `onRunning` gets the port it bound.
    public func application(host: String, port: Int, onRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol
    {
        var logger = Logger(label: "lstmlab-serve")
        logger.logLevel = .warning
        return Application(
            router: router(listeningOn: host), configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) }, logger: logger)
    }
}
