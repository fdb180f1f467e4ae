#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Reads a file that holds secrets or decides where they go (secrets.json; settings.json names
/// the SMTP server that receives the password, and its CA). The checks are made on the opened
/// descriptor, not on the path, so the file cannot be swapped between the check and the read:
/// opened with `O_NOFOLLOW` (no symbolic link), then `fstat`: a regular file, which no other user
/// can write, owned by the user running the tool or by root.
public struct TrustedFile {
    public let path: String
    /// "settings file", "secrets file": how messages name it.
    public let role: String
    public let contents: Data
    /// The permission bits, for checks particular to one kind of file.
    public let mode: mode_t

    /// Larger than any settings or secrets file; a runaway file is refused, not read.
    static let maximumSize = 1 << 20

    /// Throws `.configuration` naming the file, what is wrong and how to fix it; `missing` is the
    /// error for a file that does not exist. `followingTrustedLinks`: a symbolic link is followed
    /// when no one but root or us could have made or changed it (`trustedTarget`), as certbot's
    /// /etc/letsencrypt/live/NAME/ links to archive/; the file at the end is checked as ever.
    public init(path: String, role: String, missing: AccountsError, followingTrustedLinks: Bool = false) throws {
        self.path = path
        self.role = role
        let target = followingTrustedLinks ? try Self.trustedTarget(of: path, role: role) : path
        let descriptor = open(target, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            switch errno {
            case ENOENT: throw missing
            case ELOOP: throw AccountsError(.configuration, "\(role) \(path) is a symbolic link; point at the file itself (a link could be switched to another file)")
            case EACCES: throw AccountsError(.configuration, "\(role) \(path) cannot be read (check its owner and permissions)")
            default: throw AccountsError(.configuration, "\(role) \(path) cannot be opened: \(String(cString: strerror(errno)))")
            }
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw AccountsError(.configuration, "\(role) \(path) cannot be examined: \(String(cString: strerror(errno)))")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw AccountsError(.configuration, "\(role) \(path) is not a regular file")
        }
        let me = geteuid()
        if info.st_uid != me && info.st_uid != 0 {
            throw AccountsError(.configuration, "\(role) \(path) belongs to \(Self.userName(info.st_uid)), not to \(Self.userName(me)) who runs accounts: its owner decides where the SMTP password and activation links go; use a file of your own (or root's)")
        }
        if info.st_mode & 0o022 != 0 {
            throw AccountsError(.configuration, "\(role) \(path) can be written by other users (\(FilePermissions.modeText(info.st_mode))): whoever can change it decides where the SMTP password and activation links go; run: chmod go-w \(path)")
        }
        guard info.st_size <= Self.maximumSize else {
            throw AccountsError(.configuration, "\(role) \(path) is \(info.st_size) bytes, too large to be one (at most \(Self.maximumSize))")
        }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size) + 1)
        var count = 0
        while count < bytes.count {
            let got = bytes[count...].withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if got < 0 && errno == EINTR { continue }
            guard got >= 0 else { throw AccountsError(.configuration, "\(role) \(path) cannot be read: \(String(cString: strerror(errno)))") }
            if got == 0 { break }
            count += got
        }
        guard count <= Self.maximumSize else {
            throw AccountsError(.configuration, "\(role) \(path) is too large to be one (at most \(Self.maximumSize) bytes)")
        }
        contents = Data(bytes[..<count])
        mode = info.st_mode
    }

    /// Where `path` leads through symbolic links, each of which (and the directory holding it)
    /// belongs to root or to us and cannot be written by others: otherwise someone else could
    /// point it at a file of theirs. At most 8 links.
    static func trustedTarget(of path: String, role: String) throws -> String {
        var current = path
        for _ in 0..<8 {
            var info = stat()
            guard lstat(current, &info) == 0 else { return current } // open() says what is wrong
            guard (info.st_mode & S_IFMT) == S_IFLNK else { return current }
            let me = geteuid()
            let directory = FilePermissions.directory(of: current)
            var holder = stat()
            guard stat(directory, &holder) == 0 else { return current }
            for (what, owner, mode) in [("the symbolic link \(current)", info.st_uid, mode_t(0)), ("the directory \(directory)", holder.st_uid, holder.st_mode)] {
                if owner != me && owner != 0 {
                    throw AccountsError(.configuration, "\(role) \(path): \(what) belongs to \(userName(owner)): whoever owns it decides which file is read; use links and directories of your own or root's")
                }
                if mode & 0o022 != 0 && mode & S_ISVTX == 0 {
                    throw AccountsError(.configuration, "\(role) \(path): \(what) can be written by other users (\(FilePermissions.modeText(mode))), who could point the link elsewhere; run: chmod go-w \(directory)")
                }
            }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlink(current, &buffer, buffer.count - 1)
            guard count > 0 else { return current }
            let destination = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = destination.hasPrefix("/") ? destination : directory + "/" + destination
        }
        throw AccountsError(.configuration, "\(role) \(path) goes through more than 8 symbolic links")
    }

    /// True when something (a file, a directory, a dangling link) is at `path`.
    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// The login name of `uid` (for a command to type), else its number.
    static func loginName(_ uid: uid_t) -> String {
        getpwuid(uid).flatMap { $0.pointee.pw_name.map { String(cString: $0) } } ?? String(uid)
    }

    static func userName(_ uid: uid_t) -> String {
        let name = getpwuid(uid).flatMap { $0.pointee.pw_name.map { String(cString: $0) } }
        return name.map { "\($0) (uid \(uid))" } ?? "uid \(uid)"
    }
}
