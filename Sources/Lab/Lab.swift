import Archive
import Foundation

/// The use cases of the study over one archive: run an experiment into it, reproduce runs, forecast from a
/// checkpoint, summarise, compare and plot curves, write notebooks, recreate a run's command. The command line and
/// the web server call these; neither holds workflow of its own.
public final class Lab: Sendable {
    let store: ArchiveStore

    /// The default archive, relative to the working directory.
    public static let defaultArchivePath = ArchiveStore.defaultPath

    /// Opens an archive for reading only: nothing is written, even on a read-only folder; a missing file is an
    /// error, and an archive of an older lstmlab must be upgraded first (`upgrading`).
    public static func reading(archive path: String) throws -> Lab {
        Lab(store: try ArchiveStore(path: path, access: .read))
    }

    /// Opens an existing archive for writing, upgrading it to this lstmlab's schema when it is older.
    public static func upgrading(archive path: String) throws -> Lab {
        Lab(store: try ArchiveStore(path: path, access: .write))
    }

    /// Upgrades an archive to this lstmlab's schema; returns the migrations applied (none, and nothing written,
    /// when it is current).
    public static func upgrade(archive path: String) throws -> [String] {
        let pending = try ArchiveStore.pendingMigrations(path: path)
        if !pending.isEmpty { _ = try upgrading(archive: path) }
        return pending
    }

    /// Opens an archive for writing, creating it (and its folder) when missing.
    public static func writing(archive path: String) throws -> Lab {
        Lab(store: try ArchiveStore(path: path, create: true))
    }

    public init(store: ArchiveStore) {
        self.store = store
    }

    /// The archive's SQLite file.
    public var archivePath: String { store.path }

    /// The folder of the archive's checkpoint files.
    public var checkpointsDirectory: String { store.checkpointsDirectory }
}
