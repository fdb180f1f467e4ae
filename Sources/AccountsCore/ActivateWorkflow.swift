/// `activate`: check a link and, when it is good, activate the account exactly once.
public struct ActivateWorkflow {
    let store: AccountStore
    let tokens: TokenGenerator

    public init(store: AccountStore, tokens: TokenGenerator) {
        self.store = store
        self.tokens = tokens
    }

    public struct Outcome: Sendable {
        public var user: User
        /// 0 when SECRET_KEY signed the link, n for SECRET_KEY_FALLBACKS[n-1].
        public var keyIndex: Int
    }

    /// Activates, or throws: invalid link (.badData), unknown user (.noSuchUser), already
    /// active or deactivated (.badData), expired (.badData). Each has its own message.
    public func activate(_ link: ActivationLink, at instant: UTCDateTime = .now()) throws -> Outcome {
        let user = try inspect(link, at: instant)
        guard case .valid(let keyIndex, _) = tokens.check(link.token, for: user, at: instant) else {
            preconditionFailure("inspect returned a user whose token is not valid")
        }
        guard try store.activate(user, at: instant, detail: "link signed with \(TokenGenerator.keyName(keyIndex))") else {
            // Another process changed the row between our check and our update.
            if let now = try store.user(id: user.id), now.isActive {
                throw AccountsError(.badData, "account '\(printable(user.userID))' is already active")
            }
            throw AccountsError(.badData, "invalid activation link: the account changed while it was being activated; request a new link")
        }
        var activated = user
        activated.isActive = true
        activated.lastLogin = instant
        activated.activatedAt = instant
        return Outcome(user: activated, keyIndex: keyIndex)
    }

    /// The account the link activates, if `activate` would accept it now; otherwise the error
    /// `activate` would give. Changes nothing.
    public func inspect(_ link: ActivationLink, at instant: UTCDateTime = .now()) throws -> User {
        guard let id = UIDCodec.decode(link.uid) else {
            throw AccountsError(.badData, "invalid activation link: '\(printable(link.uid, limit: 40))' is not a user id")
        }
        guard Self.looksLikeToken(link.token) else {
            throw AccountsError(.badData, "invalid activation link: '\(printable(link.token, limit: 60))' is not a token")
        }
        guard let user = try store.user(id: id) else {
            throw AccountsError(.noSuchUser, "activation link is for user #\(id), which does not exist (it may have been purged)")
        }
        let name = printable(user.userID)
        if user.isActive {
            throw AccountsError(.badData, "account '\(name)' is already active")
        }
        guard ActivationWindow.isNeverActivated(user) else {
            throw AccountsError(.badData, "account '\(name)' was deactivated after it had been active; an activation link cannot reactivate it (that is an administrator's act)")
        }
        switch tokens.check(link.token, for: user, at: instant) {
        case .valid:
            return user
        case .expired(_, let issuedAt):
            let expiredAt = tokens.window.expiry(ofTimestamp: issuedAt)
            throw AccountsError(.badData, "activation link for '\(name)' expired at \(expiredAt.wholeSecondsText) UTC; send a new one with: accounts send-activation \(name)")
        case .fromTheFuture(_, let issuedAt):
            let dated = tokens.window.issuedAt(ofTimestamp: issuedAt)
            throw AccountsError(.badData, "invalid activation link for '\(name)': its token is dated \(dated.wholeSecondsText) UTC, more than \(ActivationWindow.clockSkewAllowance / 60) minutes ahead of this clock, which no honest clock makes")
        case .invalid:
            throw AccountsError(.badData, "invalid activation link for '\(name)': the token does not match (wrong, already used, superseded by a new password, or signed with a retired key)")
        }
    }

    /// What `accounts inspect` reports: what the link says, and what `activate` would do with it.
    public struct Inspection: Sendable {
        /// The id in the uid, when it is one.
        public var accountID: Int64?
        /// The account, when it exists.
        public var user: User?
        /// Known only when the token's signature checks out (for a used link: as it was before use).
        public var keyIndex: Int?
        public var issuedAt: UTCDateTime?
        public var expiresAt: UTCDateTime?
        /// Why `activate` would refuse the link now; nil when it would accept it.
        public var refusal: AccountsError?
    }

    /// Everything known about `link`, without changing anything. Throws only when the database
    /// cannot be read; a link `activate` would refuse is an inspection with a `refusal`.
    public func examine(_ link: ActivationLink, at instant: UTCDateTime = .now()) throws -> Inspection {
        var result = Inspection()
        result.accountID = UIDCodec.decode(link.uid)
        if let id = result.accountID { result.user = try store.user(id: id) }
        if let user = result.user, Self.looksLikeToken(link.token) {
            // A used link no longer matches (activation set last_login); check it as it was issued.
            var asIssued = user
            if user.isActive, user.lastLogin == user.activatedAt { asIssued.lastLogin = nil }
            let verdicts = [user, asIssued].lazy.map { tokens.check(link.token, for: $0, at: instant) }
            switch verdicts.first(where: { $0 != .invalid }) {
            case .valid(let keyIndex, let timestamp)?, .expired(let keyIndex, let timestamp)?, .fromTheFuture(let keyIndex, let timestamp)?:
                result.keyIndex = keyIndex
                result.issuedAt = tokens.window.issuedAt(ofTimestamp: timestamp)
                result.expiresAt = tokens.window.expiry(ofTimestamp: timestamp)
            case .invalid?, nil:
                break
            }
        }
        do {
            _ = try inspect(link, at: instant)
        } catch let error as AccountsError where error.kind == .badData || error.kind == .noSuchUser {
            result.refusal = error
        }
        return result
    }

    /// `<1–13 base36 digits>-<32 hex digits>`: the shape of a Django token.
    static func looksLikeToken(_ token: String) -> Bool {
        let parts = token.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, Base36.decode(parts[0]) != nil, parts[1].utf8.count == 32 else { return false }
        return parts[1].utf8.allSatisfy { ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f")) }
    }
}
