import Foundation

/// The activation mail as the outbox sees it: due while the account was never activated and
/// still has the address it went to; its link comes from ACTIVATION_URL; when it goes, the
/// activation window restarts (activation_sent_at) and `send-activation` is audited.
public struct ActivationMailFlow: MailFlow {
    public static let kind = MailKind.activation

    public let links: ActivationLinks
    public let mail: ActivationMail

    public init(links: ActivationLinks, mail: ActivationMail) {
        self.links = links
        self.mail = mail
    }

    public init(_ parts: FlowParts) throws {
        let settings = parts.settings
        self.init(links: ActivationLinks(tokens: parts.tokens, template: try settings.linkTemplate()),
                  mail: ActivationMail(templates: try MailTemplates(.activation, directory: settings.templatesDir), backend: parts.backend,
                                       fromEmail: settings.defaultFromEmail, timeZone: settings.timeZone))
    }

    public var backend: MailBackend { mail.backend }

    public var record: MailRecord { MailRecord(action: .sendActivation, stampsActivationSentAt: true) }

    /// Not once the account is gone, was activated (see `ActivationWindow.isNeverActivated`),
    /// or has another address.
    public func verdict(_ entry: OutboxEntry, _ user: User?) -> MailVerdict {
        guard let user else { return .abandon("the account no longer exists") }
        if user.isActive { return .abandon("the account is already active") }
        guard ActivationWindow.isNeverActivated(user) else { return .abandon("the account was deactivated after it had been active") }
        if !EmailAddress.same(user.email, entry.recipient) {
            return .abandon("the account's email changed to \(printable(user.email)); send-activation mails the new address")
        }
        return .send(user)
    }

    /// The token does not cover activation_sent_at, so the link stays good once that is recorded.
    public func compose(for user: User, at instant: UTCDateTime) throws(MailFailure) -> ComposedMail {
        let link: IssuedLink
        do { link = try links.issue(for: user, at: instant) } catch { throw MailFailure(error, permanent: true) }
        return ComposedMail(message: mail.message(for: user, link: link, at: instant), link: link)
    }
}
