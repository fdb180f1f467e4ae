import AccountsCore
import Foundation
import Synchronization

/// Data goes to stdout through a buffer (listing a million rows must not cost a million
/// system calls); messages for people go to stderr, one line each. The buffer is behind a lock:
/// progress and summaries can come from worker threads.
package final class Output: Sendable {
    package static let standardOutput = Output(descriptor: 1)

    private let descriptor: Int32
    private let buffer = Mutex<[UInt8]>([])

    package init(descriptor: Int32) {
        self.descriptor = descriptor
        buffer.withLock { $0.reserveCapacity(1 << 16) }
    }

    package func write(_ text: String) {
        append { $0.append(contentsOf: text.utf8) }
    }

    package func write(bytes: [UInt8]) {
        append { $0.append(contentsOf: bytes) }
    }

    package func line(_ text: String) {
        append { buffer in
            buffer.append(contentsOf: text.utf8)
            buffer.append(UInt8(ascii: "\n"))
        }
    }

    private func append(_ body: (inout [UInt8]) -> Void) {
        let full = buffer.withLock { buffer -> Bool in
            body(&buffer)
            return buffer.count >= 1 << 16
        }
        if full { flush() }
    }

    package func flush() {
        buffer.withLock { buffer in
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
    }

    /// Drops what is buffered and not yet written.
    package func discard() {
        buffer.withLock { $0.removeAll(keepingCapacity: true) }
    }

    /// `accounts: <message>` on stderr. Messages quote stored data (user_ids, emails, server
    /// replies) that another program may have written: escaped here, whatever the caller did, so
    /// a message is always one line and never a terminal escape sequence.
    package static func error(_ message: String) {
        StandardError.write("accounts: \(printable(message, limit: 2000))\n")
    }

    /// An informational line on stderr, unless --quiet; escaped as `error`.
    package static func info(_ message: String, quiet: Bool) {
        if !quiet { StandardError.write("\(printable(message, limit: 2000))\n") }
    }
}
