extension AccountsError {
    /// A user_id or email (ignoring case, `EmailAddress.same`) that account `owner` already has,
    /// named as every store names it: the user_id when that is the clash, else the email and
    /// who has it.
    static func taken(userID: String, email: String, by owner: String) -> AccountsError {
        if owner == userID { return taken(userID: userID) }
        return AccountsError(.badData, "email '\(email)' is already registered (to user_id '\(printable(owner))')")
    }

    static func taken(userID: String) -> AccountsError {
        AccountsError(.badData, "user_id '\(userID)' is already registered")
    }

    /// The email is taken, by an account a racing process wrote (the unique index says no more).
    static func taken(email: String) -> AccountsError {
        AccountsError(.badData, "email '\(email)' is already registered")
    }

    /// A unique index refused the row, and which of the two it was is not known.
    static func takenMeanwhile(userID: String, email: String) -> AccountsError {
        AccountsError(.badData, "user_id '\(userID)' or email '\(email)' is already registered")
    }
}
