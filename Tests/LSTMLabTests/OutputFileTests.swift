import Foundation
import Testing

@testable import Lab

/// Output options write only where they should: never over the archive, its side files or checkpoints, a device, a
/// pipe, a socket, a symbolic link, a database or a file lstmlab would not have written; a file they may replace is
/// replaced atomically.
@Suite("Output files")
struct OutputFileTests {
    /// A small archive (2 runs of 3 epochs) in a fresh folder; its path.
    static func archive() throws -> String {
        let archive = TestSupport.temporaryArchive()
        #expect(TestSupport.inProcessError(["run", "baseline", "--epochs", "3", "--repeats", "2", "--jobs", "1", "--quiet",
                                            "--archive", archive]) == nil)
        return archive
    }

    static func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    @Test("summary --plot, curves --output and notebook refuse the archive, its side files, its checkpoints, devices, pipes, sockets, links, databases and foreign files, leaving each as it was")
    func refusedTargets() throws {
        let archive = try Self.archive()
        let folder = URL(fileURLWithPath: archive).deletingLastPathComponent()
        func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
        let checkpoint = path("archive.sqlite.checkpoints/baseline-keras2/1.h5")
        #expect(mkfifo(path("pipe.svg"), 0o644) == 0)
        try FileManager.default.createSymbolicLink(atPath: path("link.svg"), withDestinationPath: archive)
        try FileManager.default.createSymbolicLink(atPath: path("dangling.svg"), withDestinationPath: path("nowhere.svg"))
        try FileManager.default.copyItem(atPath: archive, toPath: path("database.svg"))
        try FileManager.default.copyItem(atPath: checkpoint, toPath: path("weights.json"))
        try "print('mine')\n".write(toFile: path("script.py"), atomically: true, encoding: .utf8)
        // A socket bound to a path.
        let socketPath = path("socket.svg")
        let socketDescriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in socketPath.utf8.enumerated() where index < raw.count - 1 { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        defer { close(socketDescriptor) }

        let refused: [(String, String)] = [
            (archive, "it is the archive"), (archive + "-wal", "wal file"), (archive + "-shm", "shm file"),
            (archive + "-journal", "journal file"), (checkpoint, "checkpoints folder"),
            (path("archive.sqlite.checkpoints/baseline-keras2/new.svg"), "checkpoints folder"),
            (path("pipe.svg"), "device, pipe or socket"), (socketPath, "device, pipe or socket"),
            (path("link.svg"), "symbolic link"), (path("dangling.svg"), "symbolic link"),
            (path("database.svg"), "SQLite database"), (path("weights.json"), "HDF5 file"),
            (path("script.py"), "not one lstmlab writes"), ("/dev/null", "device"), (folder.path, "folder"),
        ]
        var before: [String: Data?] = [:]
        for (target, _) in refused { before[target] = Self.bytes(target) }
        let archiveBytes = Self.bytes(archive)
        for (target, reason) in refused {
            for arguments in [["summary", "baseline-keras2", "--plot", target], ["curves", "--experiment", "baseline-keras2",
                                                                              "--output", target]] {
                let result = try TestSupport.runLSTMLab(arguments + ["--archive", archive])
                #expect(result.status == 1, "\(arguments): \(result.stdout)")
                let lines = result.stderr.split(separator: "\n")
                #expect(lines.count == 1 && lines[0].contains(reason), "\(arguments): \(result.stderr)")
                #expect(Self.bytes(target) == before[target]!, "\(target) changed")
            }
        }
        #expect(Self.bytes(archive) == archiveBytes)
        // The symbolic link is still a link to the archive, the pipe still a pipe.
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: path("link.svg"))) == archive)
        var status = stat()
        #expect(lstat(path("pipe.svg"), &status) == 0 && UInt32(status.st_mode) & 0o170000 == 0o010000)
        // Notebooks into the checkpoints folder, or over a foreign file in the notebooks folder.
        let intoCheckpoints = try TestSupport.runLSTMLab(["notebook", "baseline-keras2", "--archive", archive,
                                                          "--directory", path("archive.sqlite.checkpoints/notes")])
        #expect(intoCheckpoints.status == 1 && intoCheckpoints.stderr.contains("checkpoints folder"), "\(intoCheckpoints.stderr)")
        let notebooks = try TestSupport.temporaryDirectory()
        try FileManager.default.createSymbolicLink(atPath: notebooks.appendingPathComponent("baseline-keras2.md").path,
                                                   withDestinationPath: archive)
        let overLink = try TestSupport.runLSTMLab(["notebook", "baseline-keras2", "--archive", archive, "--directory", notebooks.path])
        #expect(overLink.status == 1 && overLink.stderr.contains("symbolic link"), "\(overLink.stderr)")
        #expect(Self.bytes(archive) == archiveBytes)
    }

    @Test("As root, --plot /dev/full is refused and the device node stays a device", .enabled(if: getuid() == 0))
    func deviceNodesSurvive() throws {
        let archive = try Self.archive()
        var before = stat()
        #expect(lstat("/dev/full", &before) == 0)
        let result = try TestSupport.runLSTMLab(["summary", "baseline-keras2", "--plot", "/dev/full", "--archive", archive])
        #expect(result.status == 1 && result.stderr.contains("device"))
        var after = stat()
        #expect(lstat("/dev/full", &after) == 0 && after.st_mode == before.st_mode && after.st_rdev == before.st_rdev)
    }

    @Test("A file lstmlab writes is replaced atomically: new contents, its permissions kept, no temporary file left")
    func replacesItsOwnFiles() throws {
        let archive = try Self.archive()
        let folder = try TestSupport.temporaryDirectory()
        let plot = folder.appendingPathComponent("box.svg").path
        try "old".write(toFile: plot, atomically: false, encoding: .utf8)
        #expect(chmod(plot, 0o640) == 0)
        var before = stat()
        #expect(stat(plot, &before) == 0)
        let result = try TestSupport.runLSTMLab(["summary", "baseline-keras2", "--plot", plot, "--archive", archive])
        #expect(result.status == 0, "\(result.stderr)")
        let svg = try String(contentsOfFile: plot, encoding: .utf8)
        #expect(svg.hasPrefix("<svg") || svg.hasPrefix("<?xml"))
        var after = stat()
        #expect(stat(plot, &after) == 0)
        #expect(after.st_mode & 0o777 == 0o640)
        #expect(after.st_ino != before.st_ino, "replaced by a rename, not rewritten in place")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["box.svg"])
        // The shared check itself, for a path that does not exist yet and for the archive's own name.
        try OutputFiles.checkOutputFile(folder.appendingPathComponent("new.csv").path, option: "--x", archive: archive)
        #expect(throws: OutputFileError.self) { try OutputFiles.checkOutputFile(archive, option: "--x", archive: nil) }
    }
}
