import Foundation

/// Where activation mail goes.
public protocol MailBackend {
    /// Delivers `message` and says where it went, or why not: the failure's error kind is the
    /// exit code, and it says whether the server refused the message for good.
    func send(_ message: MailMessage) throws(MailFailure) -> MailReceipt

    /// Whether the next message would go over a connection already open (so needs no new one).
    var isConnected: Bool { get }
}

extension MailBackend {
    /// Backends without connections are always ready.
    public var isConnected: Bool { true }
}
