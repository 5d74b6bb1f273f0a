import Experiment
import GRDB

/// The archive's schema, as named, ordered migrations. Constraints live in the schema: NOT NULL, CHECKs, foreign
/// keys with cascading deletes, and a run's identity (experiment, configuration, repeat, seed) as a UNIQUE key.
/// Every migration an archive still needs is applied in one transaction (`migrate`): an upgrade is all or nothing.
enum ArchiveSchema {
    /// The first migration's identifier: an SQLite file with GRDB's migrations table but without it is not ours.
    static let firstMigration = "v1: experiments, runs, epochs, forecasts"

    /// The migrations, as GRDB's migrator knows them: which identifiers an archive has applied, and which it needs.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for (identifier, body) in migrations { migrator.registerMigration(identifier, migrate: body) }
        return migrator
    }

    /// Applies every migration the archive still needs in one transaction, with foreign keys checked at its end (as
    /// GRDB's migrator checks each migration): either all of them are applied, or none is and the archive is left as
    /// it was. Nothing is written when none is needed. Returns whether any migration was applied.
    @discardableResult
    static func migrate(_ writer: DatabasePool) throws -> Bool {
        let applied = try writer.read { db in try migrator.appliedIdentifiers(db) }
        guard migrations.contains(where: { !applied.contains($0.identifier) }) else { return false }
        try writer.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            defer { try? db.execute(sql: "PRAGMA foreign_keys = ON") }
            try db.inTransaction(.immediate) {
                try db.execute(sql: "CREATE TABLE IF NOT EXISTS grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
                let applied = Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
                for (identifier, body) in migrations where !applied.contains(identifier) {
                    try body(db)
                    try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [identifier])
                }
                if let violation = try Row.fetchOne(db, sql: "PRAGMA foreign_key_check") {
                    throw ArchiveError.io("the archive cannot be upgraded: table \(violation[0] as String) holds rows naming a "
                                          + "missing \(violation[2] as String); nothing was changed")
                }
                return .commit
            }
        }
        return true
    }

    /// Every migration, in order: its identifier and what it does.
    static let migrations: [(identifier: String, body: @Sendable (Database) throws -> Void)] = [
        (firstMigration, { db in
            try db.execute(sql: """
                CREATE TABLE experiment (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL UNIQUE CHECK (name <> ''),
                    preset TEXT NOT NULL,
                    seed INTEGER NOT NULL CHECK (seed >= 0),
                    spec_json TEXT NOT NULL,
                    series_json TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    product_version TEXT NOT NULL,
                    git_commit TEXT NOT NULL,
                    host TEXT NOT NULL,
                    os TEXT NOT NULL,
                    cpu_model TEXT NOT NULL,
                    swift_version TEXT NOT NULL
                );
                CREATE TABLE run (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    experiment_id INTEGER NOT NULL REFERENCES experiment(id) ON DELETE CASCADE,
                    configuration_label TEXT NOT NULL,
                    repeat_index INTEGER NOT NULL CHECK (repeat_index >= 0),
                    run_seed INTEGER NOT NULL CHECK (run_seed >= 0),
                    configuration_json TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'interrupted')),
                    owner TEXT,
                    started_at TEXT NOT NULL,
                    ended_at TEXT,
                    final_train_rmse REAL,
                    final_test_rmse REAL,
                    failed_epoch INTEGER,
                    error TEXT,
                    checkpoint_path TEXT,
                    checkpoint_sha256 TEXT,
                    UNIQUE (experiment_id, configuration_label, repeat_index, run_seed),
                    CHECK (status <> 'finished' OR (final_test_rmse IS NOT NULL AND checkpoint_path IS NOT NULL
                                                    AND checkpoint_sha256 IS NOT NULL AND ended_at IS NOT NULL))
                );
                CREATE INDEX run_by_status ON run(status);
                CREATE TABLE epoch (
                    run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                    epoch INTEGER NOT NULL CHECK (epoch >= 1),
                    train_rmse REAL NOT NULL,
                    test_rmse REAL NOT NULL,
                    loss REAL NOT NULL,
                    PRIMARY KEY (run_id, epoch)
                ) WITHOUT ROWID;
                CREATE TABLE forecast (
                    run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                    step INTEGER NOT NULL CHECK (step >= 1),
                    month TEXT NOT NULL,
                    forecast REAL NOT NULL,
                    observed REAL NOT NULL,
                    PRIMARY KEY (run_id, step)
                ) WITHOUT ROWID;
                CREATE VIEW curve AS
                    SELECT experiment.name AS experiment, run.configuration_label, run.repeat_index,
                           run.id AS run_id, epoch.epoch, epoch.train_rmse, epoch.test_rmse, epoch.loss
                    FROM epoch
                    JOIN run ON run.id = epoch.run_id
                    JOIN experiment ON experiment.id = run.experiment_id
                    WHERE run.status = 'finished';
                """)
        }),
        ("v2: seed derivation of each experiment", { db in
            // Experiments written before this migration were seeded from their configurations' display labels.
            try db.execute(sql: "ALTER TABLE experiment ADD COLUMN seed_derivation INTEGER NOT NULL DEFAULT 1")
        }),
        ("v3: one curve row per run, numerics version of each run", { db in
            // A run's curve as three little-endian float64 arrays (8 bytes per epoch each): 24 KB for 1000 epochs,
            // where a row per epoch took 43 KB.
            try db.execute(sql: """
                CREATE TABLE run_curve (
                    run_id INTEGER PRIMARY KEY REFERENCES run(id) ON DELETE CASCADE,
                    epochs INTEGER NOT NULL CHECK (epochs >= 0),
                    train_rmse BLOB NOT NULL CHECK (length(train_rmse) = 8 * epochs),
                    test_rmse BLOB NOT NULL CHECK (length(test_rmse) = 8 * epochs),
                    loss BLOB NOT NULL CHECK (length(loss) = 8 * epochs)
                );
                ALTER TABLE run ADD COLUMN numerics_version INTEGER NOT NULL DEFAULT 1;
                """)
            // Runs written before: their epoch rows become one curve row each, the values' bits unchanged.
            let runIDs = try Int64.fetchAll(db, sql: "SELECT DISTINCT run_id FROM epoch ORDER BY run_id")
            let rows = try db.makeStatement(sql: "SELECT epoch, train_rmse, test_rmse, loss FROM epoch WHERE run_id = ? ORDER BY epoch")
            for runID in runIDs {
                var curve: [EpochRecord] = []
                let cursor = try Row.fetchCursor(rows, arguments: [runID])
                while let row = try cursor.next() {
                    curve.append(EpochRecord(epoch: row[0], trainRMSE: row[1], testRMSE: row[2], loss: row[3]))
                }
                guard curve.map(\.epoch) == Array(stride(from: 1, through: curve.count, by: 1)) else {
                    throw ArchiveError.io("run \(runID) has gaps in its epochs; the archive cannot be upgraded")
                }
                try insertCurveRow(db, runID: runID, curve: curve)
            }
            try db.execute(sql: "DROP VIEW curve; DROP TABLE epoch")
        }),
        ("v4: provenance of each run", { db in
            // Shards of one experiment may run on different machines: each run records its own host, commit,
            // lstmlab version and engine. Runs written before take their experiment's.
            try db.execute(sql: """
                ALTER TABLE run ADD COLUMN host TEXT NOT NULL DEFAULT '';
                ALTER TABLE run ADD COLUMN git_commit TEXT NOT NULL DEFAULT '';
                ALTER TABLE run ADD COLUMN product_version TEXT NOT NULL DEFAULT '';
                ALTER TABLE run ADD COLUMN engine TEXT NOT NULL DEFAULT 'unknown';
                UPDATE run SET host = (SELECT host FROM experiment WHERE experiment.id = run.experiment_id),
                               git_commit = (SELECT git_commit FROM experiment WHERE experiment.id = run.experiment_id),
                               product_version = (SELECT product_version FROM experiment WHERE experiment.id = run.experiment_id);
                """)
        }),
        ("v5: the experiment file as written", { db in
            // The YAML file an experiment was run from (NULL for presets run by name and ad-hoc configurations). It
            // is shown, never compared: the specification is the experiment's identity.
            try db.execute(sql: "ALTER TABLE experiment ADD COLUMN experiment_file TEXT")
        }),
    ]
}
