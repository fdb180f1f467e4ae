#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

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
