#if canImport(Glibc)
import Glibc
#endif

/// One purge at a time on a database, also across hosts: a purge holds the row `purge` of the
/// purge_lease table, renewing it in every batch's transaction, and gives it back when done. A
/// lease not renewed for `lapse` seconds is free again; one whose holder was a process on this
/// host that no longer runs (killed mid-purge) is free at once, as `git gc` treats its gc.pid.
/// (Not a session-level lock: PgBouncer's transaction pooling would break it.)
public enum PurgeLease {
    public static let lapse: Int64 = 60
    static let name = "purge"

    /// This process: "host pid 1234".
    public static let holder: String = "\(hostName()) pid \(getpid())"

    /// Whether `holder` names a process on this host that is gone, so its lease can be taken over.
    static func isGone(_ holder: String) -> Bool {
        let parts = holder.split(separator: " ")
        guard parts.count == 3, parts[0] == Substring(hostName()), parts[1] == "pid", let pid = pid_t(parts[2]), pid > 0 else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }

    static func busy(holder: String, since: UTCDateTime?) -> AccountsError {
        let when = since.map { " since \($0.wholeSecondsText) UTC" } ?? ""
        return AccountsError(.temporary, "another purge is running (\(printable(holder))\(when)); a purge that stopped without finishing frees the database \(lapse) s after its last batch",
                             hint: .purgeRunning)
    }

    static let lost = AccountsError(.temporary, "this purge lost its lease (no batch for over \(lapse) s) and stopped; the batches done are kept")

    static let tookOver = "took over the lease of a purge on this host that is no longer running; its finished batches are kept"

    private static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
        return String(nulTerminated: buffer)
    }
}

/// How many accounts one purge transaction takes by default (`--batch-size`).
public enum PurgeBatch {
    public static let defaultSize = 1000
}
