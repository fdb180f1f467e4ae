/// A `users` table that was there before accounts (Django's `migrate` made it, `managed = True`):
/// accounts adopts it as it is, adding only what it owns beside it, and never alters or drops a
/// column of it. What it cannot work with is refused here, by name, before anything is changed.
enum DjangoTable {
    /// The types accounts can work with for each column of DjangoUsersModel (as format_type
    /// spells them; a varchar of any length).
    private static let types: [String: [String]] = [
        "id": ["bigint", "integer"], "user_id": ["character varying", "text"], "email": ["character varying", "text"],
        "password": ["character varying", "text"], "is_active": ["boolean"], "level": ["text", "character varying"],
        "department": ["text", "character varying"], "date_joined": ["timestamp with time zone"],
        "last_login": ["timestamp with time zone"], "activation_sent_at": ["timestamp with time zone"],
        "activated_at": ["timestamp with time zone"],
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
            if try row.bool(2) == true, try row.bool(3) == false, types[name] == nil {
                unwritten.append(name)
            }
        }
        for (column, django) in DjangoUsersModel.fields {
            guard let type = columns[column] else { throw DjangoUsersModel.missing(column, django: django) }
            let types = Self.types[column] ?? []
            guard types.contains(type) else {
                let hint = types == ["timestamp with time zone"] ? " (Django makes that with USE_TZ = True)" : ""
                throw AccountsError(.configuration, "users.\(column) is \(type); accounts needs \(types.joined(separator: " or "))\(hint)")
            }
        }
        if let column = unwritten.first { throw DjangoUsersModel.notWritten(column) }
        let sequence = try connection.query("SELECT pg_get_serial_sequence('users', 'id') IS NOT NULL").row(0)
        guard try sequence.bool(0) == true else {
            throw AccountsError(.configuration, "users.id has no identity or sequence: accounts cannot give new accounts an id")
        }
    }
}
