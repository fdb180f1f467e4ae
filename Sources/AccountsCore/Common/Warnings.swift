import Synchronization

/// Warnings for the operator on stderr (`accounts: warning: …`), each said once per process
/// however many workers or connections run into it.
public enum Warnings {
    private static let said = Mutex<Set<String>>([])

    public static func once(_ message: String) {
        let isNew = said.withLock { $0.insert(message).inserted }
        if isNew { StandardError.write("accounts: warning: \(printable(message, limit: 1000))\n") }
    }
}
