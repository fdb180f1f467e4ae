extension AccountsError {
    /// A user_id or email (ignoring case) that account `owner` already has, named as every store
    /// names it: the user_id when that is the clash, else the email and who has it.
    static func taken(userID: String, email: String, by owner: String) -> AccountsError {
        if owner == userID { return AccountsError(.badData, "user_id '\(userID)' is already registered") }
        return AccountsError(.badData, "email '\(email)' is already registered (to user_id '\(printable(owner))')")
    }
}
