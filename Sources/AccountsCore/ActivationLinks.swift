import Foundation

/// A freshly made activation link and when it stops working.
public struct IssuedLink: Sendable {
    public var link: ActivationLink
    public var url: String
    public var expiresAt: UTCDateTime
}

/// Makes activation links: a Django token and uid, put into ACTIVATION_URL.
public struct ActivationLinks: Sendable {
    public let tokens: TokenGenerator
    public let urlTemplate: String

    public init(tokens: TokenGenerator, urlTemplate: String) {
        self.tokens = tokens
        self.urlTemplate = urlTemplate
    }

    /// Throws `.badData` for an account whose id no link can carry: ids start at 1, but a row
    /// written by another program may hold anything.
    public func issue(for user: User, at instant: UTCDateTime) throws -> IssuedLink {
        guard user.id > 0 else {
            throw AccountsError(.badData, "account '\(printable(user.userID))' has id \(user.id), which no activation link can carry (ids start at 1; the row was written by another program)")
        }
        let timestamp = tokens.timestamp(at: instant)
        let link = ActivationLink(uid: UIDCodec.encode(user.id), token: tokens.makeToken(for: user, timestamp: timestamp))
        return IssuedLink(link: link, url: link.url(template: urlTemplate), expiresAt: tokens.window.expiry(ofTimestamp: timestamp))
    }
}

/// Renders the activation mail from the templates and hands it to a backend.
public struct ActivationMail {
    public let templates: ActivationTemplates
    public let backend: MailBackend
    public let fromEmail: String
    public let timeZone: TimeZone

    public init(templates: ActivationTemplates, backend: MailBackend, fromEmail: String, timeZone: TimeZone) {
        self.templates = templates
        self.backend = backend
        self.fromEmail = fromEmail
        self.timeZone = timeZone
    }

    public func message(for user: User, link: IssuedLink, at instant: UTCDateTime) -> MailMessage {
        let rendered = templates.render([
            "user_id": user.userID,
            "email": user.email,
            "activation_url": link.url,
            "uid": link.link.uid,
            "token": link.link.token,
            "expires_at": Self.localTime(link.expiresAt, in: timeZone),
        ])
        return MailMessage(from: fromEmail, to: user.email, subject: rendered.subject,
                           textBody: rendered.text, htmlBody: rendered.html, date: instant)
    }

    /// Sends; throws a `MailFailure`.
    public func send(to user: User, link: IssuedLink, at instant: UTCDateTime) throws -> MailReceipt {
        try backend.send(message(for: user, link: link, at: instant))
    }

    /// "2026-11-24 13:04 (Asia/Seoul)": the expiry in the site's own time zone.
    static func localTime(_ instant: UTCDateTime, in zone: TimeZone) -> String {
        let local = UTCDateTime(epochSeconds: instant.epochSeconds + Int64(zone.secondsFromGMT(for: instant.date)))
        // Foundation names UTC "GMT"; say what the operator configured.
        let name = zone.identifier == "GMT" ? "UTC" : zone.identifier
        return String(local.wholeSecondsText.prefix(16)) + " (\(name))"
    }
}
