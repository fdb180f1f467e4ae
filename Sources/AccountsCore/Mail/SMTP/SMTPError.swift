/// A failed SMTP conversation: at which stage, and what happened. Never holds credentials.
public struct SMTPError: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Stage: String, Sendable {
        case connect = "connecting"
        case tls = "the TLS handshake"
        case greeting = "the greeting"
        case ehlo = "EHLO"
        case startTLS = "STARTTLS"
        case auth = "AUTH"
        case mailFrom = "MAIL FROM"
        case rcptTo = "RCPT TO"
        case data = "DATA"
        case message = "the message body"
        case quit = "QUIT"

        /// The stages that carry one message: a refusal here may be about this message alone.
        var isEnvelope: Bool { [.mailFrom, .rcptTo, .data, .message].contains(self) }
    }

    public enum Problem: Equatable, Sendable {
        /// The server answered with an error reply.
        case reply(SMTPReply)
        case timedOut(seconds: Int)
        case connectionFailed(String)
        case tlsFailed(String)
        /// The server broke the protocol.
        case protocolViolation(String)
        /// Refused on our side because the settings ask for something unsafe or impossible.
        case refused(String)
        /// The server cannot give the protection the settings require (no STARTTLS offered).
        case insecure(String)
        /// The settings do not fit the server (TLS mode and port); the text says which to change.
        case misconfigured(String)
    }

    public let stage: Stage
    public let problem: Problem
    public let server: String

    public var description: String {
        let text = switch problem {
        case .reply(let reply): "\(server) refused \(stage.rawValue): \(reply.code) \(reply.text)"
        case .timedOut(let seconds): "\(server) did not answer within \(seconds) s (EMAIL_TIMEOUT) during \(stage.rawValue)"
        case .connectionFailed(let detail): "SMTP connection to \(server) failed during \(stage.rawValue): \(detail)"
        case .tlsFailed(let detail): "TLS with \(server) failed: \(detail)"
        case .protocolViolation(let detail): "\(server) broke the SMTP protocol during \(stage.rawValue): \(detail)"
        case .refused(let detail): detail
        case .insecure(let detail), .misconfigured(let detail): "\(server): \(detail)"
        }
        return verdict.advice.map { "\(text) (\($0))" } ?? text
    }

    /// How an operator reads a failure (docs/smtp.md has the table): the exit code's kind,
    /// whether the mail can never go out (the outbox marks it failed-permanent), and which
    /// setting to look at when the relay refuses because of how it is configured.
    struct Verdict: Equatable {
        var kind: AccountsError.Kind
        var permanent = false
        var advice: String?
    }

    var verdict: Verdict {
        switch problem {
        case .timedOut:
            return Verdict(kind: .temporary)
        case .refused, .misconfigured:
            return Verdict(kind: .configuration)
        case .connectionFailed, .tlsFailed, .protocolViolation, .insecure:
            return Verdict(kind: .unavailable)
        case .reply(let reply):
            return Self.verdict(for: reply, at: stage)
        }
    }

    /// Replies that say the tool is set up wrong are configuration errors whatever their first
    /// digit: the address is fine, so the mail stays to be retried once the settings are fixed.
    private static func verdict(for reply: SMTPReply, at stage: Stage) -> Verdict {
        let enhanced = reply.enhancedCode
        if reply.code == 530 {
            return Verdict(kind: .configuration, advice: "the relay wants TLS or AUTH first: set EMAIL_USE_TLS (STARTTLS), and EMAIL_HOST_USER with EMAIL_HOST_PASSWORD in the secrets file")
        }
        if stage == .auth && (reply.code == 535 || reply.code == 534) {
            return Verdict(kind: .configuration, advice: "check EMAIL_HOST_USER and EMAIL_HOST_PASSWORD")
        }
        if stage == .ehlo && reply.code == 504 {
            return Verdict(kind: .configuration, advice: "the relay wants a fully-qualified EHLO name: set EMAIL_EHLO_NAME")
        }
        if reply.isTransient { return Verdict(kind: .temporary) }
        if stage.isEnvelope && (enhanced?.hasPrefix("5.7.") == true || reply.text.lowercased().contains("relay access denied")) {
            return Verdict(kind: .configuration, advice: "the relay refuses this client or sender by policy: check EMAIL_HOST_USER (it may want AUTH), DEFAULT_FROM_EMAIL, and the relay's own access rules")
        }
        if stage == .rcptTo { return Verdict(kind: .badData, permanent: true) }
        if stage.isEnvelope { return Verdict(kind: .unavailable, permanent: true) }
        return Verdict(kind: .unavailable)
    }

    /// 4xx and timeouts: try later. Replies about the tool's own setup (530, 535, 504 to EHLO,
    /// 5.7.x): configuration. 5xx on a recipient: bad address. Everything else (other 5xx,
    /// refused connection, TLS and certificate failures): the service is unavailable.
    public var kind: AccountsError.Kind { verdict.kind }

    public var accountsError: AccountsError { AccountsError(kind, description) }

    /// For the outbox: only a 5xx to this message that is about the message (a bad address, too
    /// big) is permanent. A refusal about the settings, a refused connection or a failed TLS
    /// handshake is the server's or the settings' problem, and the mail goes out once that is fixed.
    public var mailFailure: MailFailure {
        var code: Int?
        if case .reply(let reply) = problem { code = reply.code }
        return MailFailure(accountsError, permanent: verdict.permanent, replyCode: code)
    }
}
