/// Why a link does not activate its account: what `activate` refuses with and `inspect` reports,
/// one case a reason, so a front end can tell them apart without reading prose.
public enum ActivationRefusal: Error, Equatable, Sendable {
    /// The uid is not the canonical encoding of a positive id.
    case notAUserID(uid: String)
    /// The token does not have a Django token's shape.
    case notAToken(token: String)
    /// No account has the id (it may have been purged).
    case noSuchAccount(id: Int64)
    case alreadyActive(userID: String)
    /// Active once and deactivated since: a link cannot reactivate it.
    case deactivated(userID: String)
    /// Genuine, but older than PASSWORD_RESET_TIMEOUT.
    case expired(userID: String, at: UTCDateTime)
    /// Genuine, but dated later than any honest clock could have made it.
    case fromTheFuture(userID: String, dated: UTCDateTime)
    /// Wrong, already used, superseded by a new password or email, or signed with a retired key.
    case tokenDoesNotMatch(userID: String)
    /// Another process changed the account between the check and the activation.
    case changedMeanwhile

    public var kind: AccountsError.Kind {
        if case .noSuchAccount = self { return .noSuchUser }
        return .badData
    }

    public var message: String {
        switch self {
        case .notAUserID(let uid): "invalid activation link: '\(printable(uid, limit: 40))' is not a user id"
        case .notAToken(let token): "invalid activation link: '\(printable(token, limit: 60))' is not a token"
        case .noSuchAccount(let id): "activation link is for user #\(id), which does not exist (it may have been purged)"
        case .alreadyActive(let userID): "account '\(printable(userID))' is already active"
        case .deactivated(let userID):
            "account '\(printable(userID))' was deactivated after it had been active; an activation link cannot reactivate it (that is an administrator's act)"
        case .expired(let userID, let at): "activation link for '\(printable(userID))' expired at \(at.wholeSecondsText) UTC"
        case .fromTheFuture(let userID, let dated):
            "invalid activation link for '\(printable(userID))': its token is dated \(dated.wholeSecondsText) UTC, more than \(ActivationWindow.clockSkewAllowance / 60) minutes ahead of this clock, which no honest clock makes"
        case .tokenDoesNotMatch(let userID):
            "invalid activation link for '\(printable(userID))': the token does not match (wrong, already used, superseded by a new password, or signed with a retired key)"
        case .changedMeanwhile: "invalid activation link: the account changed while it was being activated; request a new link"
        }
    }

    public var hint: AccountsError.Hint? {
        if case .expired(let userID, _) = self { return .sendNewLink(userID: printable(userID)) }
        return nil
    }

    public var accountsError: AccountsError { AccountsError(kind, message, hint: hint) }
}
