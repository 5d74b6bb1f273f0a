import Archive
import Experiment
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import Lab
import NeuralNetwork
import Synchronization
import Testing

/// `lstmlab` as users install it: one self-contained binary, installed by `scripts/install.sh` (`make install`), that
/// answers every command with the checkout and the Swift toolchain out of its reach, and an install that
/// `make uninstall` takes back exactly.
@Suite("The installed binary, away from the checkout and the toolchain", .serialized)
struct InstalledBinaryTests {
    @Test("ldd lists system libraries only: libhdf5 and libsqlite3, none of the Swift toolchain")
    func systemLibrariesOnly() throws {
        let binary = try TestSupport.lstmlabExecutable()
        let ldd = try TestSupport.runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["ldd", binary.path], in: binary.deletingLastPathComponent())
        try #require(ldd.status == 0, "ldd failed: \(ldd.stderr)")
        let libraries = ldd.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(libraries.contains { $0.hasPrefix("libhdf5") } && libraries.contains { $0.hasPrefix("libsqlite3") }, "\(ldd.stdout)")
        let toolchainNames = ["libswift", "libFoundation", "lib_Foundation", "libdispatch", "libBlocksRuntime", "libXCTest", "libTesting"]
        for library in libraries {
            #expect(!toolchainNames.contains { library.hasPrefix($0) }, "\(library)")
            if let toolchain = InstalledBinary.toolchain { #expect(!library.contains(toolchain), "\(library)") }
        }
    }

    @Test("Installed, as nobody, with the checkout and the toolchain hidden: every command answers",
          .enabled(if: InstalledBinary.isAvailable, "needs root with unshare and setpriv (util-linux)"))
    func everyCommand() throws {
        let installed = try InstalledBinary.install()
        let work = try InstalledBinary.workFolder()
        func lstmlab(_ arguments: [String]) throws -> String {
            let result = try installed.run(arguments, in: work)
            #expect(result.status == 0, "\(arguments): exit \(result.status): \(result.stderr)")
            return result.stdout
        }
        // The checkout and the toolchain really are out of reach in there.
        let look = try TestSupport.runProcess(installed.command([]).executable,
                                              installed.command([]).arguments.prefix { $0 != "--" } + ["--", "/bin/ls", "-A"]
                                                  + installed.hidden, in: work)
        // Each hidden folder lists empty, or (a checkout inside a folder only root may enter) cannot be reached at all.
        let unreachable = look.stderr.split(separator: "\n").allSatisfy { $0.hasSuffix("Permission denied") }
        #expect((look.status == 0 || unreachable) && look.stdout.split(separator: "\n").allSatisfy { $0.hasSuffix(":") || $0.isEmpty },
                "the hidden folders are not empty: \(look.stdout) \(look.stderr)")

        let head = try TestSupport.runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["git", "rev-parse", "HEAD"],
                                              in: InstalledBinary.checkout).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try lstmlab(["--version"]) == "lstmlab \(lstmlabVersion)\ncommit \(buildCommit)\nnumerics \(numericsVersion)\n")
        #expect(head.count == 40 && buildCommit.contains(head), "built from \(buildCommit), the checkout is at \(head)")
        #expect(try lstmlab(["persistence"]).contains("136.761"))
        let presets = try lstmlab(["presets"])
        #expect(Preset.allCases.allSatisfy { presets.contains($0.rawValue) }, "\(presets)")

        let archive = work.appendingPathComponent("archive.sqlite").path
        _ = try lstmlab(["run", "input", "--epochs", "4", "--repeats", "2", "--archive", archive])
        let lab = try Lab.reading(archive: archive)
        let runs = try lab.store.runs(status: .finished)
        #expect(runs.count == 8 && runs.allSatisfy { $0.gitCommit == buildCommit })
        #expect(try lstmlab(["runs", "--archive", archive]).split(separator: "\n").count == 9)
        #expect(try lstmlab(["check", "--archive", archive]).contains("archive sound"))
        #expect(try lstmlab(["reproduce", "--experiment", "input-keras2", "--archive", archive]).contains("all 8 runs identical"))
        // Header, the 12 test months and the month after them.
        let forecast = try lstmlab(["forecast", "3", "--format", "csv", "--archive", archive])
        #expect(forecast.split(separator: "\n").count == 14 && forecast.contains("\nnext,"), "\(forecast)")
        let export = try lstmlab(["export", "--archive", archive])
        #expect(export.split(separator: "\n").count == 1 + 8 * 4 && export.contains("\"kernel L1L2(0.01,0.00)\""))

        let fixture = work.appendingPathComponent("keras-golden-3epochs.json")
        try FileManager.default.copyItem(atPath: try TestSupport.fixturePath("keras-golden-3epochs"), toPath: fixture.path)
        #expect(try lstmlab(["verify-keras", fixture.path]).contains("OK: largest deviation"))
    }

    @Test("Installed, as nobody, with the checkout and the toolchain hidden: serve answers every page and static asset over loopback",
          .enabled(if: InstalledBinary.isAvailable, "needs root with unshare and setpriv (util-linux)"))
    func servesEveryPage() throws {
        let installed = try InstalledBinary.install()
        let archive = try Unprivileged.sharedFolder().appendingPathComponent("archive.sqlite").path
        let spec = Preset.input.experiment(seed: 3, repeats: 2, training: TrainingSettings(profile: .keras2, epochs: 5))
        _ = try Lab.writing(archive: archive).run(try ExperimentPlan(spec: spec, series: .shampooSales(), snapshotInterval: nil), jobs: 2)
        let server = try ServerProcess(command: installed.command(["serve", "--archive", archive, "--port", "0"]))
        defer { server.stop() }
        let base = "http://127.0.0.1:\(server.port)"
        let selection = "c=" + "1:kernel L1L2(0.01,0.00)".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        for page in ["/", "/experiments/1", "/compare", "/compare?\(selection)&r=1", "/runs/1"] {
            let (status, body) = try HTTPGet.fetch(base + page)
            #expect(status == 200 && String(decoding: body, as: UTF8.self).hasPrefix("<!doctype html>"), "\(page): \(status)")
            #expect(String(decoding: body, as: UTF8.self).contains("/static/app.js"), "\(page)")
        }
        for api in ["/api/experiments", "/api/experiments/1/curves", "/api/runs/1/epochs", "/api/runs/1/forecast"] {
            let (status, body) = try HTTPGet.fetch(base + api)
            #expect(status == 200 && (try? JSONSerialization.jsonObject(with: body)) != nil, "\(api): \(status)")
        }
        let (boxStatus, box) = try HTTPGet.fetch(base + "/experiments/1/boxplot.svg")
        #expect(boxStatus == 200 && String(decoding: box, as: UTF8.self).contains("<svg"))
        let (checkpointStatus, checkpoint) = try HTTPGet.fetch(base + "/runs/1/checkpoint.h5")
        #expect(checkpointStatus == 200 && checkpoint.starts(with: [0x89, 0x48, 0x44, 0x46]), "not an HDF5 file")
        // The script and style sheet compiled into the binary are the sources' bytes; dygraphs comes from the system.
        let resources = InstalledBinary.checkout.appendingPathComponent("Sources/Server/Resources/static")
        for name in ["app.js", "style.css"] {
            let (status, body) = try HTTPGet.fetch(base + "/static/\(name)")
            let source = try Data(contentsOf: resources.appendingPathComponent(name))
            #expect(status == 200 && body == source, "\(name)")
        }
        for name in ["dygraph.min.js", "dygraph.min.css"] {
            let (status, body) = try HTTPGet.fetch(base + "/static/\(name)")
            #expect(status == 200 && body == FileManager.default.contents(atPath: "/usr/share/javascript/dygraphs/\(name)"),
                    "\(name): \(status) (libjs-dygraphs installed? scripts/setup.sh installs it)")
        }
        #expect(server.stop() == 0)
    }

    @Test("install, then uninstall, leaves the prefix as it was; installing over a file it did not put there is refused")
    func installThenUninstall() throws {
        let script = InstalledBinary.checkout.appendingPathComponent("scripts/install.sh").path
        let binary = try TestSupport.lstmlabExecutable().path
        func installer(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
            try TestSupport.runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["bash", script] + arguments, in: InstalledBinary.checkout)
        }
        // A prefix with a path that holds a space, and folders and files of its own, some where lstmlab installs.
        let prefix = try TestSupport.temporaryDirectory().appendingPathComponent("my prefix")
        for folder in ["bin", "share/man/man1", "share/zsh"] {
            try FileManager.default.createDirectory(at: prefix.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        try "other\n".write(to: prefix.appendingPathComponent("bin/other"), atomically: true, encoding: .utf8)
        let before = try Self.listing(prefix)

        let install = try installer(["install", prefix.path, binary])
        try #require(install.status == 0, "\(install.stderr)")
        for file in ["bin/lstmlab", "share/bash-completion/completions/lstmlab", "share/zsh/site-functions/_lstmlab",
                     "share/fish/vendor_completions.d/lstmlab.fish", "share/lstmlab/install-manifest.txt"] {
            #expect(FileManager.default.fileExists(atPath: prefix.appendingPathComponent(file).path), "\(file)")
        }
        #expect(FileManager.default.contentsEqual(atPath: binary, andPath: prefix.appendingPathComponent("bin/lstmlab").path))
        let bash = try String(contentsOf: prefix.appendingPathComponent("share/bash-completion/completions/lstmlab"), encoding: .utf8)
        #expect(bash.contains("export") && bash.contains("complete -"))
        // Installing again replaces the install, and one uninstall still takes it all back.
        #expect(try installer(["install", prefix.path, binary]).status == 0)
        let uninstall = try installer(["uninstall", prefix.path])
        #expect(uninstall.status == 0, "\(uninstall.stderr)")
        #expect(try Self.listing(prefix) == before)
        #expect(try installer(["uninstall", prefix.path]).stderr.contains("not installed"))

        // A file in the way that no install put there: refused, nothing written.
        try "mine\n".write(to: prefix.appendingPathComponent("bin/lstmlab"), atomically: true, encoding: .utf8)
        let withMine = try Self.listing(prefix)
        let refused = try installer(["install", prefix.path, binary])
        #expect(refused.status != 0 && refused.stderr.contains("was not installed by make install"), "\(refused.stderr)")
        #expect(try Self.listing(prefix) == withMine)
        #expect(try installer(["install", "relative/prefix", binary]).stderr.contains("absolute"))

        // A prefix that does not exist yet, nor its parent: both made, both removed.
        let fresh = try TestSupport.temporaryDirectory()
        let deep = fresh.appendingPathComponent("not yet/there").path
        #expect(try installer(["install", deep, binary]).status == 0)
        #expect(FileManager.default.isExecutableFile(atPath: deep + "/bin/lstmlab"))
        #expect(try installer(["uninstall", deep]).status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fresh.path) == [])
    }

    /// Every path under `folder` with its kind and, for files, contents.
    static func listing(_ folder: URL) throws -> [String: Data?] {
        var listing: [String: Data?] = [:]
        for path in FileManager.default.subpaths(atPath: folder.path) ?? [] {
            let full = folder.appendingPathComponent(path).path
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: full, isDirectory: &isFolder)
            listing[path] = isFolder.boolValue ? nil : FileManager.default.contents(atPath: full)
        }
        return listing
    }
}

/// A GET over loopback through URLSession, waited for.
enum HTTPGet {
    private final class Answer: Sendable {
        let value = Mutex<(status: Int, body: Data)?>(nil)
        let done = DispatchSemaphore(value: 0)
    }

    static func fetch(_ url: String) throws -> (status: Int, body: Data) {
        let answer = Answer()
        URLSession.shared.dataTask(with: URL(string: url)!) { data, response, _ in
            answer.value.withLock { $0 = ((response as? HTTPURLResponse)?.statusCode ?? 0, data ?? Data()) }
            answer.done.signal()
        }.resume()
        guard answer.done.wait(timeout: .now() + 30) == .success, let value = answer.value.withLock({ $0 }) else {
            throw FixtureFailure("no answer from \(url) within 30 s")
        }
        return value
    }
}
