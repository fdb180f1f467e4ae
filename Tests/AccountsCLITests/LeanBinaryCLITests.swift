import Foundation
import XCTest

/// `accounts` links neither SwiftNIO nor Hummingbird (issue 22): only accounts-serve, which
/// `accounts serve` execs, does. Read from the symbol tables as `nm` prints them; the server's
/// own binary is the check that the test can see those symbols at all.
final class LeanBinaryCLITests: CLITestCase {
    func testAccountsLinksNoServerPackagesAndAccountsServeDoes() throws {
        let server = URL(fileURLWithPath: Self.binary).deletingLastPathComponent().appendingPathComponent("accounts-serve").path
        let modules = ["NIOCore", "NIOPosix", "NIOSSL", "Hummingbird"]
        func linked(_ binary: String) throws -> Set<String> {
            let symbols = try run("/usr/bin/nm", ["--defined-only", binary])
            XCTAssertEqual(symbols.status, 0, symbols.stderr)
            // Swift mangles a module as its length and name: $s7NIOCore…, 11Hummingbird….
            return Set(modules.filter { symbols.stdout.contains("\($0.count)\($0)") })
        }
        XCTAssertEqual(try linked(Self.binary), [], "accounts links the server's packages")
        XCTAssertEqual(try linked(server), Set(modules), "accounts-serve without its server? the check sees nothing")
        let libraries = try run("/usr/bin/ldd", [Self.binary]).stdout
        XCTAssertFalse(libraries.contains("libpq"), "libpq is loaded on first use, not at every start:\n\(libraries)")
    }
}
