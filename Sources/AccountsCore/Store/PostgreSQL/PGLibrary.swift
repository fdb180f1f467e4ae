import CLibPQ

/// libpq is loaded when a PostgreSQL database is first used (CLibPQ's clibpq.c), so that a
/// command on SQLite starts without it and the twenty libraries it brings.
enum PGLibrary {
    /// Loads libpq, or says why it cannot be (69: the package is not installed).
    static func require() throws {
        if let failure = accounts_libpq_load() {
            throw AccountsError(.unavailable, "PostgreSQL needs libpq, which cannot be loaded (\(String(cString: failure))); install it (Debian: apt install libpq5)")
        }
    }
}
