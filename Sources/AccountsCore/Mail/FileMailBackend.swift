import Foundation

/// Django's file backend: one `.eml` file per message in a directory, created if needed.
/// Files are written whole under a temporary name and then renamed into place, so a reader never
/// sees half a message. They hold live activation tokens, so each is created 0600 from its first
/// instant (`O_CREAT|O_EXCL|O_NOFOLLOW`, never chmod-ed afterwards), and the directory is 0700.
public struct FileMailBackend: MailBackend {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public func send(_ message: MailMessage) throws(MailFailure) -> MailReceipt {
        let content = Array(try MailFailure.rendering(message).utf8)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw MailFailure(AccountsError(.ioError, "cannot create mail directory \(directory): \(Self.reason(error))"))
        }
        FilePermissions.warnIfOthersCanWrite(directory: directory, holding: "activation mails")
        let name = "\(Self.sortableTimestamp())-\(OpenSSLCrypto.randomBytes(6).hexString).eml"
        let path = (directory as NSString).appendingPathComponent(name)
        let temporary = (directory as NSString).appendingPathComponent("." + name + ".tmp")
        func failure(_ what: String) -> MailFailure {
            MailFailure(AccountsError(.ioError, "cannot write mail into \(directory): \(what): \(String(cString: strerror(errno)))"))
        }
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure("cannot create \(temporary)") }
        var written = 0
        while written < content.count {
            let count = content[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                let error = failure("writing \(temporary)")
                close(descriptor)
                unlink(temporary)
                throw error
            }
            written += count
        }
        if fsync(descriptor) != 0 {
            let error = failure("writing \(temporary)")
            close(descriptor)
            unlink(temporary)
            throw error
        }
        if close(descriptor) != 0 {
            let error = failure("writing \(temporary)")
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let error = failure("renaming \(temporary)")
            unlink(temporary)
            throw error
        }
        return MailReceipt(destination: path)
    }

    /// Seconds and nanoseconds, zero-padded, so that `ls` lists the mails in the order they were
    /// written, also several within one second (the random part alone would shuffle them).
    static func sortableTimestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let nanoseconds = String(now.tv_nsec)
        return "\(now.tv_sec).\(String(repeating: "0", count: 9 - nanoseconds.count))\(nanoseconds)"
    }

    private static func reason(_ error: Error) -> String {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        return underlying?.localizedDescription ?? error.localizedDescription
    }
}
