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
        case rset = "RSET"
        case quit = "QUIT"
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
    }

    public let stage: Stage
    public let problem: Problem
    public let server: String

    public var description: String {
        switch problem {
        case .reply(let reply): "\(server) refused \(stage.rawValue): \(reply.code) \(reply.text)"
        case .timedOut(let seconds): "\(server) did not answer within \(seconds) s (EMAIL_TIMEOUT) during \(stage.rawValue)"
        case .connectionFailed(let detail): "SMTP connection to \(server) failed during \(stage.rawValue): \(detail)"
        case .tlsFailed(let detail): "TLS with \(server) failed: \(detail)"
        case .protocolViolation(let detail): "\(server) broke the SMTP protocol during \(stage.rawValue): \(detail)"
        case .refused(let detail): detail
        case .insecure(let detail): "\(server): \(detail)"
        }
    }

    /// 4xx and timeouts: try later. 535 on AUTH: wrong credentials (configuration). 5xx on a
    /// recipient: bad address. Everything else (other 5xx, refused connection, TLS and
    /// certificate failures): the service is unavailable.
    public var kind: AccountsError.Kind {
        switch problem {
        case .timedOut: return .temporary
        case .reply(let reply) where reply.isTransient: return .temporary
        case .reply(let reply) where stage == .auth && (reply.code == 535 || reply.code == 534): return .configuration
        case .reply where stage == .rcptTo: return .badData
        case .refused: return .configuration
        default: return .unavailable
        }
    }

    public var accountsError: AccountsError { AccountsError(kind, description) }

    /// For the outbox: only a 5xx to this message (MAIL FROM, RCPT TO, DATA, the body) is
    /// permanent. A 5xx to EHLO or AUTH, a refused connection or a failed TLS handshake is the
    /// server's or the settings' problem, and the mail goes out once that is fixed.
    public var mailFailure: MailFailure {
        var code: Int?
        var permanent = false
        if case .reply(let reply) = problem {
            code = reply.code
            permanent = reply.code >= 500 && [.mailFrom, .rcptTo, .data, .message].contains(stage)
        }
        return MailFailure(accountsError, permanent: permanent, replyCode: code)
    }
}
