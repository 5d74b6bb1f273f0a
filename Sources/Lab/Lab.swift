import Archive
import Foundation

/// The use cases of the study over one archive: run an experiment into it, reproduce runs, forecast from a
/// checkpoint, summarise, compare and plot curves, write notebooks, recreate a run's command. The command line and
/// the web server call these; neither holds workflow of its own.
public final class Lab: Sendable {
    public let store: ArchiveStore

    /// The default archive, relative to the working directory.
    public static let defaultArchivePath = ArchiveStore.defaultPath

    /// Opens an archive for reading; a missing file is an error and nothing is created.
    public static func reading(archive path: String) throws -> Lab {
        Lab(store: try ArchiveStore(path: path, create: false))
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
}
