/// `activate`: check a link and, when it is good, activate the account exactly once.
public struct ActivateWorkflow: Sendable {
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

    /// Activates, or throws the `ActivationRefusal` as an `AccountsError` (its kind: `.badData`,
    /// or `.noSuchUser` when the account does not exist); store failures as they come.
    public func activate(_ link: ActivationLink, at instant: UTCDateTime = .now()) throws -> Outcome {
        let user: User, keyIndex: Int
        switch try verdict(link, at: instant) {
        case .success(let accepted): (user, keyIndex) = accepted
        case .failure(let refusal): throw refusal.accountsError
        }
        guard try store.activate(user, at: instant, detail: AuditDetail.activated(keyIndex: keyIndex)) else {
            // Another process changed the row between our check and our update.
            if let now = try store.user(id: user.id), now.isActive {
                throw ActivationRefusal.alreadyActive(userID: user.userID).accountsError
            }
            throw ActivationRefusal.changedMeanwhile.accountsError
        }
        var activated = user
        activated.isActive = true
        activated.lastLogin = instant
        activated.activatedAt = instant
        return Outcome(user: activated, keyIndex: keyIndex)
    }

    /// Would `activate` accept the link now: the account and the key that signed it, or why not.
    /// Changes nothing; throws only when the store cannot be read.
    public func verdict(_ link: ActivationLink, at instant: UTCDateTime = .now()) throws -> Result<(User, keyIndex: Int), ActivationRefusal> {
        guard let id = UIDCodec.decode(link.uid) else { return .failure(.notAUserID(uid: link.uid)) }
        guard Self.looksLikeToken(link.token) else { return .failure(.notAToken(token: link.token)) }
        guard let user = try store.user(id: id) else { return .failure(.noSuchAccount(id: id)) }
        if user.isActive { return .failure(.alreadyActive(userID: user.userID)) }
        guard ActivationWindow.isNeverActivated(user) else { return .failure(.deactivated(userID: user.userID)) }
        switch tokens.check(link.token, for: user, at: instant) {
        case .valid(let keyIndex, _):
            return .success((user, keyIndex))
        case .expired(_, let issuedAt):
            return .failure(.expired(userID: user.userID, at: tokens.window.expiry(ofTimestamp: issuedAt)))
        case .fromTheFuture(_, let issuedAt):
            return .failure(.fromTheFuture(userID: user.userID, dated: tokens.window.issuedAt(ofTimestamp: issuedAt)))
        case .invalid:
            return .failure(.tokenDoesNotMatch(userID: user.userID))
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
        public var refusal: ActivationRefusal?
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
        if case .failure(let refusal) = try verdict(link, at: instant) { result.refusal = refusal }
        return result
    }

    /// `<1–13 base36 digits>-<32 hex digits>`: the shape of a Django token.
    static func looksLikeToken(_ token: String) -> Bool {
        let parts = token.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, Base36.decode(parts[0]) != nil, parts[1].utf8.count == 32 else { return false }
        return parts[1].utf8.allSatisfy { ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f")) }
    }
}
