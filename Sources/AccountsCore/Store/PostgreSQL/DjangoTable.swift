/// A `users` table that was there before accounts (Django's `migrate` made it, `managed = True`):
/// accounts adopts it as it is, adding only what it owns beside it, and never alters or drops a
/// column of it. What it cannot work with is refused here, by name, before anything is changed.
enum DjangoTable {
    /// Each column accounts reads and writes, and the types it can work with (as format_type
    /// spells them; a varchar of any length).
    private static let needed: [(column: String, types: [String], django: String)] = [
        ("id", ["bigint", "integer"], "BigAutoField (the default primary key)"),
        ("user_id", ["character varying", "text"], "CharField(max_length=150, unique=True)"),
        ("email", ["character varying", "text"], "EmailField()"),
        ("password", ["character varying", "text"], "AbstractBaseUser's password"),
        ("is_active", ["boolean"], "BooleanField(default=False)"),
        ("level", ["text", "character varying"], "TextField(null=True)"),
        ("department", ["text", "character varying"], "TextField(null=True)"),
        ("date_joined", ["timestamp with time zone"], "DateTimeField()"),
        ("last_login", ["timestamp with time zone"], "AbstractBaseUser's last_login"),
        ("activation_sent_at", ["timestamp with time zone"], "DateTimeField(null=True)"),
        ("activated_at", ["timestamp with time zone"], "DateTimeField(null=True)"),
    ]

    static func check(_ connection: PGConnection) throws {
        let result = try connection.query("""
            SELECT a.attname::text, format_type(a.atttypid, NULL), a.attnotnull,
                   a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> ''
            FROM pg_attribute a WHERE a.attrelid = 'users'::regclass AND a.attnum > 0 AND NOT a.attisdropped
            """)
        var columns: [String: String] = [:]
        var unwritten: [String] = []
        for index in 0..<result.count {
            let row = result.row(index)
            let name = try row.text(0) ?? ""
            columns[name] = try row.text(1) ?? ""
            if try row.bool(2) == true, try row.bool(3) == false, !needed.contains(where: { $0.column == name }) {
                unwritten.append(name)
            }
        }
        for (column, types, django) in needed {
            guard let type = columns[column] else {
                throw AccountsError(.configuration, "the users table (made by another program) has no \(column) column; add it (in Django: \(column) = models.\(django)) and migrate; accounts never alters a table it did not make")
            }
            guard types.contains(type) else {
                let hint = types == ["timestamp with time zone"] ? " (Django makes that with USE_TZ = True)" : ""
                throw AccountsError(.configuration, "users.\(column) is \(type); accounts needs \(types.joined(separator: " or "))\(hint)")
            }
        }
        if let column = unwritten.first {
            throw AccountsError(.configuration, "users.\(column) is NOT NULL without a default, and accounts does not write it: give it a default or make it nullable")
        }
        let sequence = try connection.query("SELECT pg_get_serial_sequence('users', 'id') IS NOT NULL").row(0)
        guard try sequence.bool(0) == true else {
            throw AccountsError(.configuration, "users.id has no identity or sequence: accounts cannot give new accounts an id")
        }
    }
}
