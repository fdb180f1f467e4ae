import AccountsCLI
import AccountsCore
import ArgumentParser
import Foundation
import Glibc

/// `accounts serve`: execs `accounts-serve` with the same arguments, as git runs git-daemon, so
/// that `accounts` links neither SwiftNIO nor Hummingbird and every other command starts as
/// small as it can. The options are parsed here too (help, completions, the man page, and a
/// mistake caught before the exec), from the one definition both executables share.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: ServeOptions.abstract, discussion: ServeOptions.discussion)

    @OptionGroup var options: ServeOptions
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let arguments = Array(CommandLine.arguments.drop { $0 != "serve" }.dropFirst())
        let server = try ServerExecutable.path()
        let argv = ([server] + arguments).map { strdup($0) } + [nil]
        execv(server, argv)
        throw AccountsError(.unavailable, "cannot run \(server): \(String(cString: strerror(errno)))")
    }
}

/// Where `accounts-serve` is: beside this executable (a build directory, `make install`'s
/// bin/), or in the libexec directory beside its bin/ (the Debian package's
/// /usr/libexec/accounts/).
enum ServerExecutable {
    static let name = "accounts-serve"

    static func path() throws -> String {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let directory = (me as NSString).deletingLastPathComponent
        let candidates = [directory + "/" + name, (directory as NSString).deletingLastPathComponent + "/libexec/accounts/" + name]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw AccountsError(.unavailable, "accounts serve needs \(name), which is in neither \(candidates[0]) nor \(candidates[1]); install both (make install, or the Debian package)")
        }
        return found
    }
}
