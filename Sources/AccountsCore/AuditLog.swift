#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// What changed an account. Stored as the raw value in audit_log.action.
public enum AuditAction: String, CaseIterable, Sendable {
    case register
    case sendActivation = "send-activation"
    case activate
    case purge
    case restore
}

/// Whether the change happened. A failed entry records an attempt that reached the account
/// (a mail the server refused after the account was claimed for it), not input that was refused
/// before anything was touched: that changes nothing, so it leaves no trace in the database.
public enum AuditOutcome: String, Sendable {
    case ok
    case failed
}

/// One row of audit_log. Rows outlive their accounts, so they keep the user_id as it was.
public struct AuditEntry: Equatable, Sendable {
    public var id: Int64
    public var at: UTCDateTime
    public var osUser: String
    public var action: AuditAction
    public var accountID: Int64?
    public var userID: String?
    public var outcome: AuditOutcome
    public var detail: String

    public init(id: Int64, at: UTCDateTime, osUser: String, action: AuditAction, accountID: Int64?, userID: String?,
                outcome: AuditOutcome, detail: String) {
        self.id = id
        self.at = at
        self.osUser = osUser
        self.action = action
        self.accountID = accountID
        self.userID = userID
        self.outcome = outcome
        self.detail = detail
    }
}

/// Which audit entries `accounts log` shows.
public struct AuditQuery: Sendable {
    /// A user_id, or an email of a current or purged account.
    public var user: String?
    public var since: UTCDateTime?
    public var action: AuditAction?
    /// Only the newest this many (still shown oldest first).
    public var limit: Int?

    public init(user: String? = nil, since: UTCDateTime? = nil, action: AuditAction? = nil, limit: Int? = nil) {
        self.user = user
        self.since = since
        self.action = action
        self.limit = limit
    }
}

/// The operating-system account running the tool, as the audit log names it.
public enum OSUser {
    public static func current() -> String {
        let uid = geteuid()
        var name = getpwuid(uid).flatMap { $0.pointee.pw_name.map { String(cString: $0) } } ?? "uid \(uid)"
        // Under sudo the effective user is root; who typed the command is worth keeping too.
        if uid == 0, let invoker = ProcessInfo.processInfo.environment["SUDO_USER"], !invoker.isEmpty, invoker != name {
            name += " (sudo by \(printable(invoker, limit: 32)))"
        }
        return name
    }
}
