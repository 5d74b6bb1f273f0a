import Archive
import ArgumentParser
import Foundation
import Lab
import TimeSeries

/// Which archive a command reads or writes.
struct ArchiveOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The archive's SQLite file; its checkpoints live in <file>.checkpoints/ beside it.",
                                            valueName: "path"))
    var archive = Lab.defaultArchivePath

    /// Opens the archive for reading; a missing file is an error and nothing is created.
    func openExisting() throws -> Lab {
        try checkNotAFolder()
        return try Lab.reading(archive: archive)
    }

    /// Opens the archive for writing, creating it when missing.
    func openOrCreate() throws -> Lab { try openOrCreateArchive(archive, option: "--archive") }

    /// The archive is a file: a folder (or nothing) given as `--archive` is refused with one line.
    func checkNotAFolder() throws { try checkArchiveFile(archive, option: "--archive") }
}

/// Opens an archive given by `option` for writing, creating it when missing.
func openOrCreateArchive(_ archive: String, option: String) throws -> Lab {
    try checkArchiveFile(archive, option: option)
    let folder = URL(fileURLWithPath: archive).deletingLastPathComponent().path
    try checkWritableDirectory(folder.isEmpty ? "." : folder, option: option, for: archive)
    return try Lab.writing(archive: archive)
}

/// An existing archive given for `option` (a shard to merge, an archive to compare): refused with one line when there
/// is no file there.
func checkExistingArchiveFile(_ archive: String, option: String) throws {
    try checkArchiveFile(archive, option: option)
    guard FileManager.default.fileExists(atPath: archive) else {
        throw CommandFailure(message: "no archive at \(oneLine(archive, limit: 200))")
    }
}

/// An archive is a file: a folder (or nothing) given for `option` is refused with one line.
func checkArchiveFile(_ archive: String, option: String) throws {
    var isDirectory: ObjCBool = false
    guard !archive.isEmpty else { throw CommandFailure(message: "\(option) is empty; name the archive's SQLite file") }
    guard !archive.hasSuffix("/") else {
        throw CommandFailure(message: "\(option) must name the archive's SQLite file, not a folder: \(oneLine(archive))")
    }
    if FileManager.default.fileExists(atPath: archive, isDirectory: &isDirectory), isDirectory.boolValue {
        throw CommandFailure(message: "\(option) \(oneLine(archive)) is a folder; name the archive's SQLite file, "
                             + "e.g. \(oneLine(URL(fileURLWithPath: archive).appendingPathComponent("archive.sqlite").path))")
    }
}

/// A run id as the commands take it: the integer `lstmlab runs` lists.
func parseRunID(_ text: String) throws -> Int64 {
    guard let id = Int64(text), id > 0 else {
        throw CommandFailure(message: "a run id is a positive integer (see `lstmlab runs`), got '\(oneLine(text))'")
    }
    return id
}

/// A command that ran and failed (a check found a difference, an experiment was interrupted, options conflict):
/// printed as one line, exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// How a command prints a table: aligned text, CSV or JSON.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case table, csv, json }
