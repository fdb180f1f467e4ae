import GRDB

/// A `users` table that Django's `migrate` made in the SQLite file before accounts: adopted as it
/// is (DjangoUsersModel), or refused by name before anything changes. SQLite's column types are
/// loose, so what is checked is what matters: every column there, nothing accounts cannot fill,
/// and an id that is never reused (INTEGER PRIMARY KEY AUTOINCREMENT, which Django makes).
enum SQLiteDjangoTable {
    static func check(_ db: Database) throws {
        var columns: Set<String> = []
        var unwritten: [String] = []
        for row in try Row.fetchAll(db, sql: "PRAGMA table_info(users)") {
            let name: String = row["name"]
            columns.insert(name)
            let notNull: Bool = row["notnull"]
            let hasDefault = (row["dflt_value"] as String?) != nil
            let isKey: Int = row["pk"]
            if notNull, !hasDefault, isKey == 0, !DjangoUsersModel.fields.contains(where: { $0.column == name }) {
                unwritten.append(name)
            }
        }
        for (column, django) in DjangoUsersModel.fields where !columns.contains(column) {
            throw DjangoUsersModel.missing(column, django: django)
        }
        if let column = unwritten.first { throw DjangoUsersModel.notWritten(column) }
        let definition = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'users'") ?? ""
        guard definition.uppercased().contains("AUTOINCREMENT") else {
            throw AccountsError(.configuration, "users.id is not INTEGER PRIMARY KEY AUTOINCREMENT: SQLite would hand out the ids of deleted accounts again, and an old link could reach a new account")
        }
    }
}
