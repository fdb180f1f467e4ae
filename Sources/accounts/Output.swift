import AccountsCore
import Foundation

/// Data goes to stdout through a buffer (listing a million rows must not cost a million
/// system calls); messages for people go to stderr, one line each.
final class Output: @unchecked Sendable {
    static let standardOutput = Output(descriptor: 1)

    private let descriptor: Int32
    private var buffer: [UInt8] = []

    private init(descriptor: Int32) {
        self.descriptor = descriptor
        buffer.reserveCapacity(1 << 16)
    }

    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    func write(bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { flush() }
    }

    func line(_ text: String) {
        write(text)
        write("\n")
    }

    func flush() {
        var offset = 0
        while offset < buffer.count {
            let written = buffer[offset...].withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE {
                    // The reader went away (`accounts list | head`): stop as a shell pipeline expects.
                    signal(SIGPIPE, SIG_DFL)
                    raise(SIGPIPE)
                }
                break
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Drops what is buffered and not yet written.
    func discard() {
        buffer.removeAll(keepingCapacity: true)
    }

    /// `accounts: <message>` on stderr. Messages quote stored data (user_ids, emails, server
    /// replies) that another program may have written: escaped here, whatever the caller did, so
    /// a message is always one line and never a terminal escape sequence.
    static func error(_ message: String) {
        StandardError.write("accounts: \(printable(message, limit: 2000))\n")
    }

    /// An informational line on stderr, unless --quiet; escaped as `error`.
    static func info(_ message: String, quiet: Bool) {
        if !quiet { StandardError.write("\(printable(message, limit: 2000))\n") }
    }
}
