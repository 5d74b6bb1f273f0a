import Foundation
import Testing

/// The built `lstmlab` as a user gets it: installed by `scripts/install.sh` (what `make install` runs) into a fresh
/// prefix every user can read, and run as `nobody` in a mount namespace where the checkout (sources, `.build`, the
/// test bundle) and the Swift toolchain are hidden under empty folders. What works there works from a copy on a
/// machine with no checkout and no Swift.
struct InstalledBinary {
    /// The prefix it is installed under (`<prefix>/bin/lstmlab`).
    let prefix: URL
    var binary: URL { prefix.appendingPathComponent("bin/lstmlab") }

    static let unshare = ["/usr/bin/unshare", "/bin/unshare"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Root with `unshare` (a mount namespace) and `setpriv` (to become `nobody`).
    static var isAvailable: Bool { getuid() == 0 && unshare != nil && Unprivileged.setpriv != nil }

    /// The checkout: the folder of Package.swift.
    static let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The toolchain's folder: the one holding `lib/swift/linux/libswiftCore.so`, which this test process loaded.
    static let toolchain: String? = {
        guard let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8),
              let line = maps.split(separator: "\n").first(where: { $0.hasSuffix("/lib/swift/linux/libswiftCore.so") }),
              let slash = line.firstIndex(of: "/") else { return nil }
        let library = String(line[slash...])
        return String(library.dropLast("/lib/swift/linux/libswiftCore.so".count))
    }()

    /// Installs the binary built beside the tests into `<fresh folder>/prefix`.
    static func install() throws -> InstalledBinary {
        let prefix = try Unprivileged.sharedFolder().appendingPathComponent("prefix")
        let result = try TestSupport.runProcess(URL(fileURLWithPath: "/usr/bin/env"),
                                                ["bash", checkout.appendingPathComponent("scripts/install.sh").path,
                                                 "install", prefix.path, try TestSupport.lstmlabExecutable().path],
                                                in: checkout)
        try #require(result.status == 0, "scripts/install.sh failed: \(result.stderr)")
        return InstalledBinary(prefix: prefix)
    }

    /// The folders hidden from the installed binary: the checkout and the toolchain.
    var hidden: [String] { [Self.checkout.path] + (Self.toolchain.map { [$0] } ?? []) }

    /// The program and arguments that run the installed `lstmlab` with `arguments` as `nobody`, with `hidden`
    /// covered by empty folders (in its own mount namespace, so nothing changes for any other process).
    func command(_ arguments: [String]) -> (executable: URL, arguments: [String]) {
        let script = """
            while [ "$1" != -- ]; do mount -t tmpfs -o size=1m,mode=0755 lstmlab-hidden "$1" || exit 125; shift; done
            shift
            exec \(Unprivileged.setpriv!) --reuid=\(Unprivileged.nobody) --regid=\(Unprivileged.nobody) --clear-groups -- "$@"
            """
        return (URL(fileURLWithPath: Self.unshare!),
                ["--mount", "--propagation", "private", "/bin/sh", "-c", script, "sh"] + hidden + ["--", binary.path] + arguments)
    }

    /// Runs the installed `lstmlab` as `command` says, in `folder`; its exit status, stdout and stderr.
    func run(_ arguments: [String], in folder: URL) throws -> (status: Int32, stdout: String, stderr: String) {
        let (executable, arguments) = command(arguments)
        var environment = ProcessInfo.processInfo.environment
        environment["COLUMNS"] = "200"
        return try TestSupport.runProcess(executable, arguments, in: folder, environment: environment)
    }

    /// A fresh folder `nobody` owns, to work in.
    static func workFolder() throws -> URL {
        let folder = try Unprivileged.sharedFolder()
        try Unprivileged.giveToNobody(folder.path)
        return folder
    }
}
