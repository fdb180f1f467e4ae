/// How a command names one account: by a USER that is its user_id or else its email, or
/// explicitly by id, user_id or email. A user_id may be another account's email (Django allows
/// "victim@example.com" as a username), so a USER that matches one account's user_id and another
/// account's email is refused, never guessed.
public enum AccountReference: Sendable, Equatable, CustomStringConvertible {
    /// A user_id, or an email (ignoring case).
    case either(String)
    case id(Int64)
    case userID(String)
    /// Ignoring case, as the unique index does.
    case email(String)

    /// How messages quote it: `user_id or email 'hong'`, `id 12`, `user_id 'hong'`, `email 'h@example.com'`.
    public var description: String {
        switch self {
        case .either(let text): "user_id or email '\(printable(text))'"
        case .id(let id): "id \(id)"
        case .userID(let text): "user_id '\(printable(text))'"
        case .email(let text): "email '\(printable(text))'"
        }
    }

    /// The account `candidates` (what the store found for this reference, the preferred first)
    /// stand for: nil when there is none; `.badData` naming both when, for `.either`, the user_id
    /// matched one account and the email another.
    public func resolve<T>(_ candidates: [T], id: (T) -> Int64, userID: (T) -> String, what: String = "account") throws -> T? {
        guard case .either(let text) = self else { return candidates.first }
        let byUserID = candidates.first { userID($0) == text }
        let byEmail = candidates.first { userID($0) != text }
        if let byUserID, let byEmail, id(byUserID) != id(byEmail) {
            throw AccountsError(.badData, "'\(printable(text))' is the user_id of \(what) #\(id(byUserID)) and the email of \(what) #\(id(byEmail)) ('\(printable(userID(byEmail)))'); nothing was done",
                                hint: .nameOneAccount(ids: [id(byUserID), id(byEmail)]))
        }
        return byUserID ?? byEmail
    }
}
