import Foundation

/// Where activation mail goes.
public protocol MailBackend {
    /// Delivers `message` and says where it went. Throws a `MailFailure`: its error's kind is the
    /// exit code, and it says whether the server refused the message for good.
    func send(_ message: MailMessage) throws -> MailReceipt
}

/// Django's file backend: one `.eml` file per message in a directory, created if needed.
/// Files are written whole and then renamed into place, so a reader never sees half a message,
/// and they are private to the owner because they hold live activation tokens.
public struct FileMailBackend: MailBackend {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public func send(_ message: MailMessage) throws -> MailReceipt {
        let content = try MailFailure.rendering(message)
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw MailFailure(AccountsError(.ioError, "cannot create mail directory \(directory): \(Self.reason(error))"))
        }
        let name = "\(UTCDateTime.now().epochSeconds)-\(OpenSSLCrypto.randomBytes(6).hexString).eml"
        let path = (directory as NSString).appendingPathComponent(name)
        let temporary = (directory as NSString).appendingPathComponent("." + name + ".tmp")
        guard manager.createFile(atPath: temporary, contents: Data(content.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw MailFailure(AccountsError(.ioError, "cannot write mail into \(directory)"))
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? manager.removeItem(atPath: temporary)
            throw MailFailure(AccountsError(.ioError, "cannot write mail into \(directory): \(reason)"))
        }
        return MailReceipt(destination: path)
    }

    private static func reason(_ error: Error) -> String {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        return underlying?.localizedDescription ?? error.localizedDescription
    }
}

/// Django's console backend: the message on standard error, so standard output stays data.
public struct ConsoleMailBackend: MailBackend {
    public init() {}

    public func send(_ message: MailMessage) throws -> MailReceipt {
        let content = try MailFailure.rendering(message)
        StandardError.write(content.replacingOccurrences(of: "\r\n", with: "\n") + "\n")
        return MailReceipt(destination: "standard error")
    }
}
