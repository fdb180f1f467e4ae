import Foundation

/// Renders the activation mail from the templates and hands it to a backend.
public struct ActivationMail {
    public let templates: MailTemplates
    public let backend: MailBackend
    public let fromEmail: String
    public let timeZone: TimeZone

    public init(templates: MailTemplates, backend: MailBackend, fromEmail: String, timeZone: TimeZone) {
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

    public func send(to user: User, link: IssuedLink, at instant: UTCDateTime) throws(MailFailure) -> MailReceipt {
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
