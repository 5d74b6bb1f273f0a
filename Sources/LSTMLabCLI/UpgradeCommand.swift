import ArgumentParser
import Lab

/// `lstmlab upgrade`: bring an archive written by an older lstmlab to this version's schema.
struct UpgradeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upgrade",
        abstract: "Upgrade an archive written by an older lstmlab to this version's schema (read commands never write).",
        discussion: "Writing commands (run, study) upgrade an archive themselves; read commands refuse an older one "
            + "and point here. Every value is kept bit for bit.")

    @OptionGroup var archiveOptions: ArchiveOptions

    func run() throws {
        try archiveOptions.checkNotAFolder()
        let applied = try Lab.upgrade(archive: archiveOptions.archive)
        if applied.isEmpty {
            print("\(archiveOptions.archive) is already up to date; nothing was written")
        } else {
            print("\(archiveOptions.archive) upgraded: \(applied.joined(separator: "; "))")
        }
    }
}
