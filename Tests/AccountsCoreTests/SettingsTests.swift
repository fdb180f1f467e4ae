import AccountsCore
import Foundation
import XCTest

final class SettingsTests: XCTestCase {
    func testDefaults() throws {
        let settings = try Settings.load(file: nil, environment: [:])
        XCTAssertEqual(settings.database, "accounts.sqlite3")
        XCTAssertEqual(settings.passwordResetTimeout, 259_200)
        XCTAssertEqual(settings.defaultLevel, "2")
        XCTAssertEqual(settings.defaultDepartment, "컴퓨터공학부")
        XCTAssertEqual(settings.resolvedEmailBackend, .file)
    }

    func testFileThenEnvironment() throws {
        let dir = try temporaryDirectory(self)
        let file = dir + "/settings.json"
        try #"{"TIME_ZONE": "Asia/Seoul", "PASSWORD_RESET_TIMEOUT": 3600, "EMAIL_USE_TLS": true, "EMAIL_HOST": "smtp.naver.com"}"#
            .write(toFile: file, atomically: true, encoding: .utf8)
        let settings = try Settings.load(file: file, environment: ["ACCOUNTS_PASSWORD_RESET_TIMEOUT": "60", "ACCOUNTS_EMAIL_BACKEND": "console"])
        XCTAssertEqual(settings.timeZone.identifier, "Asia/Seoul")
        XCTAssertEqual(settings.passwordResetTimeout, 60, "the environment wins over the file")
        XCTAssertTrue(settings.emailUseTLS)
        XCTAssertEqual(settings.resolvedEmailBackend, .console)
        XCTAssertEqual(try Settings.load(file: file, environment: [:]).resolvedEmailBackend, .smtp, "EMAIL_HOST selects smtp")
    }

    func testServeSettings() throws {
        let dir = try temporaryDirectory(self)
        let file = dir + "/settings.json"
        try #"{"LANGUAGE_CODE": "en-us", "TRUSTED_PROXIES": ["127.0.0.1", "10.0.0.0/8", "fd00::/8"], "ACTIVATION_SUCCESS_URL": "/login/"}"#
            .write(toFile: file, atomically: true, encoding: .utf8)
        let settings = try Settings.load(file: file, environment: [:])
        XCTAssertEqual(settings.languageCode, "en")
        XCTAssertEqual(settings.activationSuccessURL, "/login/")
        let trusted = settings.trustedProxies
        XCTAssertEqual(trusted.count, 3)
        for (address, expected) in [("127.0.0.1", true), ("::ffff:127.0.0.1", true), ("127.0.0.2", false), ("10.255.1.2", true),
                                    ("11.0.0.1", false), ("fd12::1", true), ("fe80::1", false), ("::1", false), ("not an address", false)] {
            XCTAssertEqual(trusted.contains { $0.contains(address) }, expected, address)
        }
        let fromEnvironment = try Settings.load(file: nil, environment: ["ACCOUNTS_TRUSTED_PROXIES": "192.0.2.0/24, ::1"])
        XCTAssertEqual(fromEnvironment.trustedProxies, [AddressRange("192.0.2.0/24")!, AddressRange("::1")!])
        XCTAssertEqual(AddressRange("192.0.2.77/24"), AddressRange("192.0.2.0/24"), "host bits are cleared")
        for bad in ["10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0/8", "example.com", ""] {
            XCTAssertNil(AddressRange(bad), bad)
        }
    }

    func testMistakesAreConfigurationErrors() throws {
        let dir = try temporaryDirectory(self)
        let cases: [(String, [String: String])] = [
            (#"{"PASSWORD_RESET_TIMOUT": 1}"#, [:]),
            (#"{"SECRET_KEY": "x"}"#, [:]),
            (#"{"PASSWORD_RESET_TIMEOUT": "soon"}"#, [:]),
            (#"not json"#, [:]),
            (#"{"ACTIVATION_URL": "https://e.com/activate/"}"#, [:]),
            (#"{}"#, ["ACCOUNTS_TIME_ZONE": "Mars/Olympus"]),
            (#"{}"#, ["ACCOUNTS_EMAIL_USE_TLS": "maybe"]),
            (#"{"EMAIL_USE_TLS": true, "EMAIL_USE_SSL": true}"#, [:]),
            (#"{"DEFAULT_FROM_EMAIL": "a@b.com\r\nBcc: x@y.com"}"#, [:]),
            (#"{"LANGUAGE_CODE": "fr"}"#, [:]),
            (#"{"TRUSTED_PROXIES": "10.0.0.0/8"}"#, ["ACCOUNTS_TRUSTED_PROXIES": "10.0.0.0/8,proxy"]),
            (#"{"TRUSTED_PROXIES": 10}"#, [:]),
            (#"{"ACTIVATION_SUCCESS_URL": "//evil.example/"}"#, [:]),
            (#"{"ACTIVATION_SUCCESS_URL": "/login/\r\nSet-Cookie: x=1"}"#, [:]),
        ]
        for (content, environment) in cases {
            let file = dir + "/s.json"
            try content.write(toFile: file, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try Settings.load(file: file, environment: environment), content) { error in
                XCTAssertEqual((error as? AccountsError)?.kind, .configuration, "\(error)")
            }
        }
        XCTAssertThrowsError(try Settings.load(file: dir + "/absent.json", environment: [:]))
    }

    func testSecretsFile() throws {
        let dir = try temporaryDirectory(self)
        let path = dir + "/secrets.json"
        XCTAssertThrowsError(try Secrets.load(path: path)) { XCTAssertEqual(($0 as? AccountsError)?.kind, .configuration) }
        try Secrets.create(path: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let secrets = try Secrets.load(path: path)
        XCTAssertEqual(secrets.secretKey.count, 50)
        XCTAssertEqual(secrets.warnings, [], "a key from init is long and random")
        XCTAssertThrowsError(try Secrets.create(path: path)) { XCTAssertEqual(($0 as? AccountsError)?.kind, .cannotCreate) }
        chmod(path, 0o644)
        XCTAssertThrowsError(try Secrets.load(path: path)) { error in
            XCTAssertEqual((error as? AccountsError)?.kind, .configuration)
            XCTAssertEqual((error as? AccountsError)?.hint, .allowInsecureSecrets, "the front end says how to allow it anyway")
        }
        XCTAssertEqual(try Secrets.load(path: path, allowInsecure: true).warnings.count, 1)
        chmod(path, 0o600)
        for bad in [#"{"SECRET_KEY": ""}"#, #"{"SECRET_KEY": " \t "}"#, #"{"SECRET_KEY": "k", "SECRET_KEY_FALLBACKS": [" "]}"#, #"{"SECRET_KEY": 5}"#, #"{"SECRET_KEY": "k", "SECRET_KEY_FALLBACKS": "old"}"#, "[]", "{"] {
            try bad.write(toFile: path, atomically: true, encoding: .utf8)
            chmod(path, 0o600)
            XCTAssertThrowsError(try Secrets.load(path: path), bad) { error in
                XCTAssertEqual((error as? AccountsError)?.kind, .configuration)
            }
        }
        try #"{"SECRET_KEY": "hunter2-secret-value"}"#.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o600)
        let short = try Secrets.load(path: path)
        XCTAssertEqual(short.secretKey, "hunter2-secret-value")
        XCTAssertEqual(short.warnings.count, 1)
        XCTAssertTrue(short.warnings[0].contains("fewer than 50 characters"), "\(short.warnings)")
        // Django's W009: long enough, but too few distinct characters; and its startproject key.
        for (key, why) in [(String(repeating: "ab", count: 40), "fewer than 5 distinct"),
                           ("django-insecure-" + String(repeating: "x1y2z3", count: 10), "startproject")] {
            try #"{"SECRET_KEY": "\#(key)", "SECRET_KEY_FALLBACKS": ["old"]}"#.write(toFile: path, atomically: true, encoding: .utf8)
            chmod(path, 0o600)
            let warnings = try Secrets.load(path: path).warnings
            XCTAssertEqual(warnings.count, 2, "\(warnings)")
            XCTAssertTrue(warnings[0].contains(why), "\(warnings)")
            XCTAssertTrue(warnings[1].contains("SECRET_KEY_FALLBACKS[0] has fewer than 50 characters"), "\(warnings)")
        }
    }

    /// Any permission for group or others is refused, not only "readable by all": 0640 (a group
    /// that can read it can forge links) and 0604 as well as 0644; 0600 and 0400 are fine.
    func testASecretsFileTheGroupCanReadIsRefused() throws {
        let path = try temporaryDirectory(self) + "/secrets.json"
        try Secrets.create(path: path)
        for mode in [0o640, 0o604, 0o610, 0o620, 0o644] as [mode_t] {
            chmod(path, mode)
            XCTAssertThrowsError(try Secrets.load(path: path), String(mode, radix: 8)) { error in
                XCTAssertEqual((error as? AccountsError)?.kind, .configuration)
            }
        }
        for mode in [0o600, 0o400] as [mode_t] {
            chmod(path, mode)
            XCTAssertNoThrow(try Secrets.load(path: path), String(mode, radix: 8))
        }
    }

    /// Django's W009 line is 50 characters: 49 is warned about, 50 is not (both with enough
    /// distinct characters), and so on for each key of the fallbacks.
    func testAKeyOfFortyNineCharactersIsWarnedAboutAndFiftyIsNot() throws {
        let path = try temporaryDirectory(self) + "/secrets.json"
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        let key = { (count: Int) in String((0..<count).map { alphabet[$0 % alphabet.count] }) }
        for (length, warned) in [(40, true), (49, true), (50, false), (51, false)] {
            try #"{"SECRET_KEY": "\#(key(length))", "SECRET_KEY_FALLBACKS": ["\#(key(length))"]}"#.write(toFile: path, atomically: true, encoding: .utf8)
            chmod(path, 0o600)
            XCTAssertEqual(try Secrets.load(path: path).warnings.count, warned ? 2 : 0, "a key of \(length)")
        }
    }
}
