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
    /// A visitor asked for a new link on `serve`'s page (the mail itself is a send-activation).
    case requestActivation = "request-activation"
    case activate
    case purge
    case restore
    // An administrator's changes (show/update/set-password/deactivate/reactivate/delete).
    case update
    case setPassword = "set-password"
    case deactivate
    case reactivate
    case delete
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
