/// Makes activation links: a Django token and uid, put into ACTIVATION_URL.
public struct ActivationLinks: Sendable {
    public let tokens: TokenGenerator
    public let template: LinkTemplate

    public init(tokens: TokenGenerator, template: LinkTemplate) {
        self.tokens = tokens
        self.template = template
    }

    /// Throws `.badData` for an account whose id no link can carry: ids start at 1, but a row
    /// written by another program may hold anything.
    public func issue(for user: User, at instant: UTCDateTime) throws(AccountsError) -> IssuedLink {
        guard user.id > 0 else {
            throw AccountsError(.badData, "account '\(printable(user.userID))' has id \(user.id), which no activation link can carry (ids start at 1; the row was written by another program)")
        }
        let timestamp = tokens.timestamp(at: instant)
        let link = ActivationLink(uid: UIDCodec.encode(user.id), token: tokens.makeToken(for: user, timestamp: timestamp))
        return IssuedLink(link: link, url: template.url(for: link), expiresAt: tokens.window.expiry(ofTimestamp: timestamp))
    }
}
