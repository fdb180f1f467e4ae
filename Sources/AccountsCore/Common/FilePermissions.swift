#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks of who else can reach a file or directory the tool depends on.
public enum FilePermissions {
    /// "mode 777": the permission bits, as chmod takes them.
    public static func modeText(_ mode: mode_t) -> String {
        "mode " + String(mode & 0o777, radix: 8)
    }

    /// Warns when every user could write `directory` (and so replace or plant the files in it).
    /// A group's write is taken as deliberate: sharing a database with a Django site's user
    /// needs it.
    public static func warnIfOthersCanWrite(directory: String, holding what: String) {
        var info = stat()
        guard stat(directory, &info) == 0, info.st_mode & 0o002 != 0 else { return }
        Warnings.once("\(directory) can be written by other users (\(modeText(info.st_mode))), and it holds \(what): they could replace or plant files there; run: chmod o-w \(directory)")
    }

    /// The directory part of `path` ("." for a bare name).
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Before `what` is created at `path`: its directory must exist and this user must be able
    /// to write in it, else `.cannotCreate` (73) naming the directory, its owner, and the way out
    /// (SQLite's own "unable to open database file" names none of them).
    public static func requireCreatable(_ path: String, what: String) throws {
        var directory = directory(of: path)
        // Named as the reader can find it: "." says nothing.
        if !directory.hasPrefix("/") {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            if let cwd = getcwd(&buffer, buffer.count).map({ _ in String(nulTerminated: buffer) }) {
                directory = directory == "." ? cwd : cwd + "/" + directory
            }
        }
        var info = stat()
        guard stat(directory, &info) == 0 else {
            throw AccountsError(.cannotCreate, "cannot create \(what) \(path): the directory \(directory) does not exist",
                                hint: .makeDirectory(directory))
        }
        guard access(directory, W_OK | X_OK) == 0 else {
            let me = geteuid()
            let owner = info.st_uid == me ? "you" : TrustedFile.userName(info.st_uid)
            throw AccountsError(.cannotCreate, "cannot create \(what) \(path): the directory \(directory) belongs to \(owner), and \(TrustedFile.userName(me)) may not write in it (\(modeText(info.st_mode)))",
                                hint: .directoryOfYourOwn(directory: directory, user: TrustedFile.loginName(me)))
        }
    }
}
