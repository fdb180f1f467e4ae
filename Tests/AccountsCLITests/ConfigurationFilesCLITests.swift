import Foundation
import XCTest

/// The settings file decides where the SMTP password goes (EMAIL_HOST, EMAIL_SSL_CAFILE), so it
/// gets the secrets file's checks: no other user may write it or own it, and no link may stand
/// in for it. Checked on the opened file, not the path. And SECRET_KEY must be a real key.
final class ConfigurationFilesCLITests: CLITestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        XCTAssertEqual(try accounts("init", "-q").status, 0)
    }

    func writeSettings(_ name: String = "settings.json", mode: mode_t) throws {
        let path = directory + "/" + name
        try #"{"EMAIL_HOST": "smtp.attacker.example", "EMAIL_USE_TLS": true}"#.write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, mode)
    }

    func testASettingsFileOthersCanWriteIsRefused() throws {
        for mode: mode_t in [0o666, 0o664, 0o646] {
            try writeSettings(mode: mode)
            assertFails(try accounts("list"), 78, "settings file settings.json can be written by other users (mode \(String(mode, radix: 8))): whoever can change it decides where the SMTP password and activation links go; run: chmod go-w settings.json")
            assertFails(try accounts("list", "--settings", "settings.json"), 78, "can be written by other users")
        }
        try writeSettings(mode: 0o644)
        XCTAssertEqual(try accounts("list").status, 0, "readable by others is fine: it holds no secret")
    }

    func testASettingsFileOfAnotherUserIsRefusedButRootsIsNot() throws {
        try XCTSkipUnless(getuid() == 0, "needs root to give the file to another user")
        try writeSettings(mode: 0o644)
        chown(directory + "/settings.json", 65534, 65534)
        assertFails(try accounts("list"), 78, "settings file settings.json belongs to nobody (uid 65534), not to root (uid 0) who runs accounts")
        // Root's files are trusted by everyone (nobody reading root's settings, as in /etc).
        chown(directory + "/settings.json", 0, 0)
        let asNobody = try run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", Self.binary, "list",
                                                    "--database", "/nonexistent/accounts.sqlite3"])
        XCTAssertEqual(asNobody.status, 66, "got past the settings to the missing database: \(asNobody.stderr)")
    }

    func testALinkOrAFIFOIsNotASettingsFile() throws {
        try writeSettings("real.json", mode: 0o600)
        symlink("real.json", directory + "/settings.json")
        assertFails(try accounts("list"), 78, "settings file settings.json is a symbolic link; point at the file itself")
        unlink(directory + "/settings.json")
        symlink("nowhere.json", directory + "/settings.json")
        assertFails(try accounts("list"), 78, "is a symbolic link")
        unlink(directory + "/settings.json")
        mkfifo(directory + "/settings.json", 0o600)
        assertFails(try accounts("list"), 78, "settings file settings.json is not a regular file")
    }

    func testTheSecretsFileGetsTheSameChecks() throws {
        chmod(directory + "/secrets.json", 0o620)
        assertFails(try accounts("register", "hong", "hong@example.com"), 78, "secrets file secrets.json can be written by other users (mode 620)")
        chmod(directory + "/secrets.json", 0o600)
        if getuid() == 0 {
            chown(directory + "/secrets.json", 65534, 65534)
            assertFails(try accounts("register", "hong", "hong@example.com"), 78, "secrets file secrets.json belongs to nobody (uid 65534)")
            chown(directory + "/secrets.json", 0, 0)
        }
        XCTAssertEqual(try accounts("register", "hong", "hong@example.com", "-q").status, 0)
    }

    func testABlankSecretKeyIsRefusedAndAWeakOneWarnedAbout() throws {
        func secrets(_ key: String) throws {
            try JSONSerialization.data(withJSONObject: ["SECRET_KEY": key]).write(to: URL(fileURLWithPath: directory + "/secrets.json"))
            chmod(directory + "/secrets.json", 0o600)
        }
        try secrets(" ")
        let before = try dump()
        assertFails(try accounts("register", "hong", "hong@example.com"), 78, "SECRET_KEY is blank, so anyone could forge activation links")
        XCTAssertEqual(try dump(), before)
        try secrets("short-key")
        let weak = try accounts("register", "hong", "hong@example.com", "-q")
        XCTAssertEqual(weak.status, 0, "a weak key works, as in Django")
        XCTAssertEqual(weak.stderr, "accounts: warning: secrets file secrets.json: SECRET_KEY has fewer than 50 characters, so it is easier to guess and links easier to forge; generate a long random one (Django's security.W009)\n")
    }
}
