import CLinux
import Foundation

/// What the process sets up about itself before it reads a secret or creates a file.
package enum ProcessHardening {
    package static func apply() {
        // Every file created from here on (database, -wal/-shm, mail files, temporary files) is
        // 0600 from the moment it exists, whatever umask the shell or cron left us: password
        // hashes and live activation links are in them. Nothing is chmod-ed after the fact.
        umask(0o077)
        // No core dump may write SECRET_KEY or a password to disk, and no other process of the
        // same user may attach and read them (PR_SET_DUMPABLE also makes /proc/PID root's).
        var none = rlimit(rlim_cur: 0, rlim_max: 0)
        _ = setrlimit(Int32(RLIMIT_CORE.rawValue), &none)
        _ = accounts_set_not_dumpable()
        // A server that goes away mid-message must be an error we report (EPIPE), not a signal
        // that kills the process halfway through a bulk run: OpenSSL writes to its socket with
        // write(2). Standard output still ends the process on a closed pipe (see Output.flush).
        signal(SIGPIPE, SIG_IGN)
    }
}
