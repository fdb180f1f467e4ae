import GRDB

/// The database schema, as versioned migrations. Never edit a shipped migration; add one.
///
/// Applied under the write lock (`BEGIN IMMEDIATE`), deciding which to run only once it is held:
/// any number of processes can make their first use of a new database at once, and exactly one
/// of them creates the tables. (GRDB's own migrator reads the applied list before locking.) The
/// applied identifiers are kept in `grdb_migrations`, where GRDB kept them for older databases.
enum Schema {
    static func migrate(_ queue: DatabaseQueue) throws {
        // Most runs find nothing to do: two statements, without a transaction or the write lock.
        let applied = try queue.inDatabase { db -> Set<String> in
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'grdb_migrations')") == true
            else { return [] }
            return try Set(String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
        }
        guard migrations.contains(where: { !applied.contains($0.0) }) else { return }
        try queue.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                try db.execute(sql: "CREATE TABLE IF NOT EXISTS grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
                for (identifier, migrate) in try pendingMigrations(db) {
                    try migrate(db)
                    try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [identifier])
                }
                return .commit
            }
        }
    }

    /// Every migration's identifier, in order.
    static var identifiers: [String] { migrations.map(\.0) }

    private static func pendingMigrations(_ db: Database) throws -> [(String, (Database) throws -> Void)] {
        let applied = try db.tableExists("grdb_migrations")
            ? Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")) : []
        return migrations.filter { !applied.contains($0.0) }
    }

    /// Columns and text datetimes as Django's SQLite backend writes them, so a Django model with
    /// db_table = "users" maps onto this table. AUTOINCREMENT: ids are never reused, so an old
    /// activation link can never point at a newer account.
    private static let usersTable = """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id TEXT NOT NULL UNIQUE,
            email TEXT NOT NULL,
            password TEXT NOT NULL,
            is_active INTEGER NOT NULL DEFAULT 0,
            level TEXT,
            department TEXT,
            date_joined TEXT NOT NULL,
            last_login TEXT,
            activation_sent_at TEXT,
            activated_at TEXT
        );
        """

    private static var migrations: [(String, (Database) throws -> Void)] {
        var migrations: [(String, (Database) throws -> Void)] = []
        func registerMigration(_ identifier: String, _ migrate: @escaping (Database) throws -> Void) {
            migrations.append((identifier, migrate))
        }
        registerMigration("v1: users and purged_users") { db in
            // A users table Django's migrate made (managed = True) is adopted as it is, and only
            // accounts' own indexes, triggers and tables are added. (This branch changes no
            // database v1 ever migrated: on one, CREATE TABLE users failed.)
            if try db.tableExists("users") {
                try SQLiteDjangoTable.check(db)
            } else {
                try db.execute(sql: usersTable)
            }
            try db.execute(sql: """
                CREATE UNIQUE INDEX users_email_nocase ON users (email COLLATE NOCASE);
                -- Serves purge-expired and list --state pending|expired.
                CREATE INDEX users_never_activated ON users (coalesce(activation_sent_at, date_joined))
                    WHERE is_active = 0 AND last_login IS NULL AND activated_at IS NULL;

                -- Every purged row, whole, so a mistaken purge can be undone.
                CREATE TABLE purged_users (
                    archive_id INTEGER PRIMARY KEY AUTOINCREMENT,
                    id INTEGER NOT NULL,
                    user_id TEXT NOT NULL,
                    email TEXT NOT NULL,
                    password TEXT NOT NULL,
                    is_active INTEGER NOT NULL,
                    level TEXT,
                    department TEXT,
                    date_joined TEXT NOT NULL,
                    last_login TEXT,
                    activation_sent_at TEXT,
                    activated_at TEXT,
                    purged_at TEXT NOT NULL
                );
                CREATE INDEX purged_users_user_id ON purged_users (user_id);
                """)
        }
        registerMigration("v2: audit_log") { db in
            // Append-only by intent: the triggers stop a slip in a hand-written UPDATE or DELETE;
            // they are no defence against someone who can write the file anyway.
            try db.execute(sql: """
                CREATE TABLE audit_log (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at TEXT NOT NULL,
                    os_user TEXT NOT NULL,
                    action TEXT NOT NULL,
                    account_id INTEGER,
                    user_id TEXT,
                    outcome TEXT NOT NULL,
                    detail TEXT NOT NULL DEFAULT ''
                );
                CREATE INDEX audit_log_user_id ON audit_log (user_id);
                CREATE INDEX audit_log_account_id ON audit_log (account_id);
                CREATE INDEX audit_log_at ON audit_log (at);
                -- A purge is one audit_log row; the accounts it removed are the purged_users rows
                -- that point at it (250,000 archive rows already say who; a second copy of each
                -- in audit_log would make the nightly purge half as fast again).
                ALTER TABLE purged_users ADD COLUMN audit_id INTEGER REFERENCES audit_log (id);
                ALTER TABLE purged_users ADD COLUMN restored_at TEXT;
                CREATE INDEX purged_users_audit_id ON purged_users (audit_id);
                -- restore looks up by user_id OR email, which this index cannot serve alone; it
                -- only slowed every purge down.
                DROP INDEX purged_users_user_id;
                CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                """)
        }
        registerMigration("v3: outbox") { db in
            // Every activation mail, before it is sent (docs/outbox.md).
            try db.execute(sql: """
                CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    account_id INTEGER NOT NULL,
                    recipient TEXT NOT NULL,
                    state TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    last_code INTEGER,
                    last_reply TEXT,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    next_attempt_at TEXT,
                    sent_at TEXT
                );
                CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
                CREATE INDEX outbox_account_id ON outbox (account_id);
                """)
        }
        registerMigration("v4: activation recorded by the database") { db in
            // "Never activated" (ActivationWindow) must hold for rows other programs write too: a
            // Django admin that creates an account active, or activates one, and later deactivates
            // it, leaves last_login NULL; without activated_at that account would look never
            // activated, get links, and be purged. Rows active today are stamped with the best
            // date known.
            try db.execute(sql: """
                UPDATE users SET activated_at = coalesce(last_login, date_joined) WHERE is_active = 1 AND activated_at IS NULL;
                CREATE TRIGGER users_activation_recorded_on_insert AFTER INSERT ON users
                    WHEN NEW.is_active = 1 AND NEW.activated_at IS NULL
                    BEGIN UPDATE users SET activated_at = strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE id = NEW.id; END;
                CREATE TRIGGER users_activation_recorded_on_update AFTER UPDATE OF is_active ON users
                    WHEN NEW.is_active = 1 AND NEW.activated_at IS NULL
                    BEGIN UPDATE users SET activated_at = strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE id = NEW.id; END;
                """)
        }
        registerMigration("v5: purge lease; activation never forgotten") { db in
            // One purge at a time (PurgeLease). And a stale copy of a row saved back by another
            // program (Django's save() writes every column) must not erase the record of an
            // activation.
            try db.execute(sql: """
                CREATE TABLE purge_lease (
                    name TEXT PRIMARY KEY,
                    holder TEXT NOT NULL,
                    acquired_at TEXT NOT NULL,
                    renewed_at TEXT NOT NULL
                );
                CREATE TRIGGER users_activation_kept AFTER UPDATE OF activated_at ON users
                    WHEN OLD.activated_at IS NOT NULL AND NEW.activated_at IS NULL
                    BEGIN UPDATE users SET activated_at = OLD.activated_at WHERE id = NEW.id; END;
                """)
        }
        registerMigration("v6: ids of archived accounts stay theirs") { db in
            // As PostgreSQL's users_no_purged_ids: an insert with an explicit id (an import with
            // --append, a script) must not give a live account the id of an archived one, which
            // an old link and the archive's history still point at. restore marks the copy first.
            try db.execute(sql: """
                CREATE TRIGGER users_no_archived_ids BEFORE INSERT ON users
                    WHEN EXISTS (SELECT 1 FROM purged_users WHERE id = NEW.id AND restored_at IS NULL)
                    BEGIN SELECT RAISE(ABORT, 'users id belongs to an archived account that was not restored; ids are never reused'); END;
                """)
        }
        registerMigration("v7: counts by state from indexes") { db in
            // /metrics and stats count accounts by state often; with these, every count is read
            // from an index (AccountCounts), never by scanning the users table's rows.
            try db.execute(sql: """
                CREATE INDEX users_deactivated ON users (id)
                    WHERE is_active = 0 AND NOT (is_active = 0 AND last_login IS NULL AND activated_at IS NULL);
                CREATE INDEX outbox_retried ON outbox (updated_at) WHERE attempts > 1;
                """)
        }
        registerMigration("v8: mail kinds") { db in
            // A row names the flow it belongs to (MailKind); every row before this was an
            // activation mail. (An account has a handful of rows: outbox_account_id finds them.)
            try db.execute(sql: "ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'activation'")
        }
        return migrations
    }
}
