/// An administrator's changes to one account and what `show` reads (as SQLiteStore+Administration).
extension PostgresStore {
    public func update(_ user: User, to changed: User, action: AuditAction, detail: String, at instant: UTCDateTime) throws -> User? {
        try write { connection in
            if changed.userID != user.userID || !EmailAddress.same(changed.email, user.email) {
                let clash = try connection.query("""
                    SELECT user_id FROM users WHERE id <> $1 AND (user_id = $2 OR upper(email) = upper($3)) LIMIT 1
                    """, [.int8(user.id), .text(changed.userID), .text(changed.email)])
                if clash.count > 0 {
                    throw AccountsError.taken(userID: changed.userID, email: changed.email, by: try clash.row(0).text(0) ?? "")
                }
            }
            let result: PGResult
            do {
                var bindings = PGBindings()
                let set = """
                    user_id = \(bindings.bind(.text(changed.userID))), email = \(bindings.bind(.text(changed.email))), \
                    password = \(bindings.bind(.text(changed.password))), is_active = \(bindings.bind(.bool(changed.isActive))), \
                    level = \(bindings.bind(changed.level.pg)), department = \(bindings.bind(changed.department.pg))
                    """
                let unchanged = Self.unchanged(user, &bindings)
                result = try connection.query("UPDATE users SET \(set) WHERE \(unchanged) RETURNING \(PGRecords.userColumns)", bindings.parameters)
            } catch let failure as PGFailure where failure.sqlState == "23505" {
                throw AccountsError.takenMeanwhile(userID: changed.userID, email: changed.email)
            }
            guard result.count == 1 else { return nil }
            let updated = try PGRecords.user(result.row(0))
            try audit(connection, action, updated, .ok, detail, at: instant)
            return updated
        }
    }

    public func delete(_ user: User, detail: String, at instant: UTCDateTime) throws -> Bool {
        try write { connection in
            var bindings = PGBindings()
            let unchanged = Self.unchanged(user, &bindings)
            let found = try connection.query("SELECT 1 FROM users WHERE \(unchanged) FOR UPDATE", bindings.parameters)
            guard found.count == 1 else { return false }
            try audit(connection, .delete, user, .ok, detail, at: instant)
            // Archived exactly as a purge archives, so that `restore` puts it back.
            try connection.query("""
                WITH doomed AS (DELETE FROM users WHERE id = $1 RETURNING *)
                INSERT INTO purged_users (\(ArchivedColumns.list()), purged_at, audit_id)
                SELECT \(ArchivedColumns.list()), $2, currval(pg_get_serial_sequence('audit_log', 'id'))
                FROM doomed
                """, [.int8(user.id), .timestamptz(instant)])
            return true
        }
    }

    public func latestMail(forAccount id: Int64) throws -> OutboxEntry? {
        try connected { connection in
            let result = try connection.query("""
                SELECT \(PGRecords.outboxColumns) FROM \(PGRecords.outboxJoin) WHERE o.account_id = $1 ORDER BY o.id DESC LIMIT 1
                """, [.int8(id)])
            return result.count == 0 ? nil : try PGRecords.outboxEntry(result.row(0))
        }
    }

    public func archivedUsers(matching reference: AccountReference) throws -> [PurgedUser] {
        let (condition, parameter): (String, PGParameter) = switch reference {
        case .either(let text): ("user_id = $1 OR upper(email) = upper($1)", .text(text))
        case .id(let id): ("id = $1", .int8(id))
        case .userID(let text): ("user_id = $1", .text(text))
        case .email(let text): ("upper(email) = upper($1)", .text(text))
        }
        return try connected { connection in
            let result = try connection.query("""
                SELECT archive_id, purged_at, audit_id, restored_at, \(PGRecords.userColumns) FROM purged_users
                WHERE \(condition) ORDER BY archive_id DESC
                """, [parameter], table: "purged_users")
            return try (0..<result.count).map { index in
                let row = result.row(index)
                return PurgedUser(archiveID: try row.required(row.integer(0), "archive_id"),
                                  user: try PGRecords.user(PGRow(result: row.result, index: row.index, offset: 4)),
                                  purgedAt: try row.required(row.date(1), "purged_at"), auditID: try row.integer(2),
                                  restoredAt: try row.date(3))
            }
        }
    }

    /// The row of `user.id` still holds what was read, every column compared.
    private static func unchanged(_ user: User, _ bindings: inout PGBindings) -> String {
        """
        id = \(bindings.bind(.int8(user.id))) AND user_id = \(bindings.bind(.text(user.userID))) \
        AND email = \(bindings.bind(.text(user.email))) AND password = \(bindings.bind(.text(user.password))) \
        AND is_active = \(bindings.bind(.bool(user.isActive))) AND level IS NOT DISTINCT FROM \(bindings.bind(user.level.pg)) \
        AND department IS NOT DISTINCT FROM \(bindings.bind(user.department.pg)) \
        AND last_login IS NOT DISTINCT FROM \(bindings.bind(user.lastLogin.pg)) \
        AND activation_sent_at IS NOT DISTINCT FROM \(bindings.bind(user.activationSentAt.pg)) \
        AND activated_at IS NOT DISTINCT FROM \(bindings.bind(user.activatedAt.pg))
        """
    }
}
