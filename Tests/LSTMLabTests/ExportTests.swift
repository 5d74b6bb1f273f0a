import Archive
import Experiment
import Foundation
@testable import Lab
import Testing

/// `lstmlab export`: every epoch of every finished run, or each run's final scores, in long form, read back with a
/// CSV reader and a JSON decoder written apart from the sources, and compared with the archive bit for bit.
@Suite("lstmlab export: results in long form, bit for bit")
struct ExportTests {
    /// A finished `input` experiment (labels with commas) of 2 repeats × 6 epochs.
    static let archive = Result { () throws -> String in
        let path = TestSupport.temporaryArchive()
        let spec = Preset.input.experiment(seed: 11, repeats: 2, training: TrainingSettings(profile: .keras2, epochs: 6))
        _ = try Lab.writing(archive: path).run(try ExperimentPlan(spec: spec, series: .shampooSales(), snapshotInterval: nil), jobs: 2)
        return path
    }

    static func exported(_ lab: Lab, _ table: ExportTable, experiment: String? = nil, format: ExportFormat) throws -> String {
        var text = ""
        try lab.export(table, experiment: experiment, format: format) { text += $0 }
        return text
    }

    /// One row of the epochs table, as read back.
    struct EpochRow: Decodable, Equatable {
        var run: Int64
        var experiment: String
        var configuration: String
        var `repeat`: Int
        var seed: Int64
        var epoch: Int
        var train_rmse: Double
        var test_rmse: Double
        var loss: Double
    }

    /// The rows the archive holds, from its own reads.
    static func expectedRows(_ lab: Lab) throws -> [EpochRow] {
        let names = Dictionary(uniqueKeysWithValues: try lab.store.experiments().map { ($0.id!, $0.name) })
        return try lab.store.runs(status: .finished).flatMap { run in
            try lab.store.curve(runID: run.id!).map {
                EpochRow(run: run.id!, experiment: names[run.experimentID]!, configuration: run.configurationLabel,
                         repeat: run.repeatIndex + 1, seed: run.runSeed, epoch: $0.epoch, train_rmse: $0.trainRMSE,
                         test_rmse: $0.testRMSE, loss: $0.loss)
            }
        }
    }

    /// Whether two rows hold the same values, the doubles compared by their bits.
    static func identical(_ a: EpochRow, _ b: EpochRow) -> Bool {
        var x = a, y = b
        guard a.train_rmse.bitPattern == b.train_rmse.bitPattern, a.test_rmse.bitPattern == b.test_rmse.bitPattern,
              a.loss.bitPattern == b.loss.bitPattern else { return false }
        (x.train_rmse, x.test_rmse, x.loss, y.train_rmse, y.test_rmse, y.loss) = (0, 0, 0, 0, 0, 0)
        return x == y
    }

    @Test("CSV: a header, then one row per epoch of every finished run, equal to the archive bit for bit")
    func csvRoundTrip() throws {
        let lab = try Lab.reading(archive: try Self.archive.get())
        let rows = parseCSV(try Self.exported(lab, .epochs, format: .csv))
        #expect(rows.first == ExportTable.epochs.columns)
        let read = try rows.dropFirst().map { fields in
            try #require(fields.count == 9, "\(fields)")
            return EpochRow(run: Int64(fields[0])!, experiment: fields[1], configuration: fields[2], repeat: Int(fields[3])!,
                            seed: Int64(fields[4])!, epoch: Int(fields[5])!, train_rmse: Double(fields[6])!,
                            test_rmse: Double(fields[7])!, loss: Double(fields[8])!)
        }
        let expected = try Self.expectedRows(lab)
        #expect(read.count == 4 * 2 * 6 && read.count == expected.count)
        for (a, b) in zip(read, expected) { #expect(Self.identical(a, b), "\(a) against \(b)") }
        #expect(Set(read.map(\.configuration)).contains("kernel L1L2(0.01,0.00)"))
    }

    @Test("JSON Lines: one object per epoch, keys in column order, equal to the archive bit for bit")
    func jsonLinesRoundTrip() throws {
        let lab = try Lab.reading(archive: try Self.archive.get())
        let lines = try Self.exported(lab, .epochs, format: .jsonl).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.last == "")
        let read = try lines.dropLast().map { try JSONDecoder().decode(EpochRow.self, from: Data($0.utf8)) }
        let expected = try Self.expectedRows(lab)
        #expect(read.count == expected.count)
        for (a, b) in zip(read, expected) { #expect(Self.identical(a, b), "\(a) against \(b)") }
        let first = try #require(lines.first)
        let keyOrder = ExportTable.epochs.columns.compactMap { first.range(of: "\"\($0)\":")?.lowerBound }
        #expect(keyOrder.count == 9 && keyOrder == keyOrder.sorted())
    }

    @Test("--scores: one row per finished run with its epochs and final RMSEs, as archived; unfinished runs are left out")
    func scores() throws {
        let fixture = try ProblemArchiveFixture.shared()
        let lab = Lab(store: fixture.store)
        let finished = try lab.store.runs(status: .finished)
        #expect(try lab.store.runs().count > finished.count, "the fixture has unfinished runs")
        let rows = parseCSV(try Self.exported(lab, .scores, format: .csv))
        #expect(rows.first == ExportTable.scores.columns)
        #expect(rows.count == 1 + finished.count)
        for (fields, run) in zip(rows.dropFirst(), finished) {
            #expect(fields[0] == String(run.id!) && fields[3] == String(run.repeatIndex + 1) && fields[4] == String(run.runSeed))
            #expect(Int(fields[5]) == (try run.configuration().training.epochs))
            #expect(Double(fields[6])?.bitPattern == run.finalTrainRMSE?.bitPattern)
            #expect(Double(fields[7])?.bitPattern == run.finalTestRMSE?.bitPattern)
        }
        // Epochs too: only the finished runs' curves.
        let epochs = parseCSV(try Self.exported(lab, .epochs, format: .csv)).dropFirst()
        #expect(Set(epochs.map { Int64($0[0])! }) == Set(finished.map { $0.id! }))
        #expect(epochs.count == 2 * 30 + 2 * 40)
        // One experiment only, and an unknown one named.
        let one = parseCSV(try Self.exported(lab, .scores, experiment: "epochs-40", format: .csv)).dropFirst()
        #expect(one.count == 2 && one.allSatisfy { $0[1] == "epochs-40" })
        #expect(throws: ArchiveError.self) { try Self.exported(lab, .scores, experiment: "nope", format: .csv) }
    }

    @Test("The command writes to standard output or a new or regular file, never to the archive, a link, a FIFO or a device")
    func outputFiles() throws {
        let archive = try Self.archive.get()
        let before = try Data(contentsOf: URL(fileURLWithPath: archive))
        let stdout = try TestSupport.runLSTMLab(["export", "--archive", archive])
        let expected = try Self.exported(try Lab.reading(archive: archive), .epochs, format: .csv)
        #expect(stdout.status == 0 && stdout.stdout == expected)
        let folder = try TestSupport.temporaryDirectory()
        let file = folder.appendingPathComponent("x")
        for _ in 0..<2 {  // new, then replacing a regular file
            let written = try TestSupport.runLSTMLab(["export", "--archive", archive, "--format", "jsonl", "--scores", "--output", file.path])
            #expect(written.status == 0 && written.stdout.isEmpty, "\(written.stderr)")
            #expect(try String(contentsOf: file, encoding: .utf8).split(separator: "\n").count == 8)
        }
        let link = folder.appendingPathComponent("link.csv").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: file.path)
        let fifo = folder.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o644) == 0)
        let hardLink = folder.appendingPathComponent("same.sqlite").path
        try FileManager.default.linkItem(atPath: archive, toPath: hardLink)
        let refusals: [(String, String)] = [
            (archive, "the archive's file"), (hardLink, "the archive's file"), (archive + "-wal", "the archive's file"),
            (link, "a symbolic link"), (fifo, "a FIFO"), ("/dev/null", "a device"), (folder.path, "a folder"),
            (archive + ".checkpoints/x.csv", "inside the archive's folder"),
            (folder.appendingPathComponent("missing/x.csv").path, "does not exist"),
        ]
        for (path, reason) in refusals {
            let refused = try TestSupport.runLSTMLab(["export", "--archive", archive, "--output", path])
            #expect(refused.status == 1 && refused.stderr.contains(reason) && refused.stderr.split(separator: "\n").count == 1,
                    "\(path): \(refused.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: archive)) == before)
        #expect(try String(contentsOf: file, encoding: .utf8).split(separator: "\n").count == 8, "the link's target is untouched")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["fifo", "link.csv", "same.sqlite", "x"])
    }
}

/// The rows of CSV text whose fields hold no line break, each split by `csvFields` (written apart from the sources).
func parseCSV(_ text: String) -> [[String]] {
    text.split(separator: "\n").map { csvFields(String($0)) }
}
