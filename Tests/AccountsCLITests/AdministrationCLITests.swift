import Foundation
import XCTest

/// show, update, set-password, deactivate, reactivate and delete through the binary, on SQLite:
/// what each changes (and what it leaves alone when refused), its audit entry, and what it means
/// for links already mailed. The same commands run on PostgreSQL in StoreParityCLITests.
final class AdministrationCLITests: CLITestCase {
    func lastAuditEntry() throws -> String {
        try sql("SELECT action || '|' || user_id || '|' || outcome || '|' || detail FROM audit_log ORDER BY id DESC LIMIT 1").first ?? ""
    }

    func jsonObject(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
    }

    func testShowGivesEverythingButTheHash() throws {
        try initAndRegister()
        let shown = try accounts("show", "HONG@example.com")
        XCTAssertEqual(shown.status, 0, shown.stderr)
        let hash = try XCTUnwrap(try sql("SELECT password FROM users").first)
        XCTAssertFalse(shown.stdout.contains(hash))
        for expected in ["user_id           hong", "state             pending", "password          unusable", "link expires",
                         "last mail         #1 sent to hong@example.com", "register  ok", "send-activation  ok"] {
            XCTAssertTrue(shown.stdout.contains(expected), "\(expected) in:\n\(shown.stdout)")
        }
        let json = try jsonObject(try accounts("show", "hong", "--format", "json").stdout)
        XCTAssertEqual(json["state"] as? String, "pending")
        XCTAssertEqual(json["password_usable"] as? Bool, false)
        XCTAssertNil(json["password"])
        XCTAssertEqual((json["last_mail"] as? [String: Any])?["state"] as? String, "sent")
        XCTAssertEqual((json["recent_events"] as? [[String: Any]])?.map { $0["action"] as? String }, ["register", "send-activation"])
        XCTAssertNotNil(json["link_expires_at"] as? String)

        assertFails(try accounts("show", "nobody"), 67, "no account with user_id or email 'nobody'")
        assertFails(try accounts("show", "hong", "--archived"), 67, "no archived account")
    }

    func testUpdatingTheEmailOfAPendingAccountKillsItsLinksAndMailsAFreshOne() throws {
        let old = try initAndRegister()
        XCTAssertEqual(try accounts("register", "kim", "kim@example.com", "--no-send").status, 0)
        let before = try dump()

        // Refused, each with one line, and nothing changed.
        assertFails(try accounts("update", "hong", "--email", "KIM@example.com"), 65, "email 'KIM@example.com' is already registered (to user_id 'kim')")
        assertFails(try accounts("update", "hong", "--user-id", "kim"), 65, "user_id 'kim' is already registered")
        assertFails(try accounts("update", "hong", "--email", "not-an-email"), 65, "not-an-email")
        assertFails(try accounts("update", "hong", "--user-id", "hоng"), 65, "hоng") // a Cyrillic о
        assertFails(try accounts("update", "hong", "--level", "1\n2"), 65, "control characters")
        assertFails(try accounts("update", "hong", "--email", "hong@example.com"), 65, "nothing to change")
        assertFails(try accounts("update", "nobody", "--level", "1"), 67, "no account with user_id or email 'nobody'")
        XCTAssertEqual(try accounts("update", "hong").status, 64)
        XCTAssertEqual(try dump(), before, "refused changes change nothing")

        // The cooldown protects a recipient, not an account: a corrected address gets its link at
        // once, although the first mail (to the old one) went out a moment ago.
        let corrected = try accounts("update", "hong", "--email", "hong.new@example.com")
        XCTAssertEqual(corrected.status, 0, corrected.stderr)
        XCTAssertTrue(corrected.stderr.contains("activation links mailed before no longer work: their token covers the email"), corrected.stderr)
        XCTAssertTrue(corrected.stderr.contains("a fresh activation link was mailed to"), corrected.stderr)
        XCTAssertTrue(try lastAuditEntry().hasPrefix("send-activation|hong|ok|mail to outbox/"))
        assertFails(try accounts("activate", old), 65, "invalid")
        XCTAssertEqual(try accounts("update", "hong", "--email", "hong2@example.com").status, 0, "another new address: at once too")
        // Back to an address that got a mail within the cooldown: updated, but no new mail yet (75).
        let early = try accounts("update", "hong", "--email", "hong.new@example.com")
        assertFails(early, 75, "was updated (email hong2@example.com -> hong.new@example.com), but no new link was mailed")
        XCTAssertTrue(early.stderr.contains("accounts send-activation hong"), early.stderr)
        XCTAssertEqual(try lastAuditEntry(), "update|hong|ok|email hong2@example.com -> hong.new@example.com")
        let mails = outboxFiles()
        XCTAssertEqual(mails.count, 3)
        let newest = try String(contentsOfFile: directory + "/outbox/" + XCTUnwrap(mails.last), encoding: .utf8)
        XCTAssertTrue(newest.contains("To: hong2@example.com"), newest)

        // Later (no cooldown), a fresh link to the new address, which works.
        let later = try accounts("update", "hong", "--email", "hong3@example.com", env: ["ACCOUNTS_ACTIVATION_COOLDOWN": "0"])
        XCTAssertEqual(later.status, 0, later.stderr)
        let link = try XCTUnwrap(later.stdoutLines.first)
        XCTAssertEqual(try accounts("activate", link).status, 0)
        XCTAssertEqual(try sql("SELECT email, is_active FROM users WHERE user_id = 'hong'"), ["hong3@example.com|1"])
    }

    func testUpdatingAnActiveAccountSaysNothingWasVerified() throws {
        XCTAssertEqual(try accounts("activate", try initAndRegister()).status, 0)
        let result = try accounts("update", "hong", "--email", "h@example.com", "--level", "", "--department", "물리학과", "--format", "json")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("the new address was not verified"), result.stderr)
        let json = try jsonObject(result.stdout)
        XCTAssertEqual(json["links_invalidated"] as? Bool, false)
        XCTAssertTrue(json["activation_url"] is NSNull)
        XCTAssertEqual((json["changes"] as? [[String: Any]])?.map { $0["field"] as? String }, ["email", "level", "department"])
        XCTAssertEqual(try sql("SELECT email, level IS NULL, department, is_active FROM users"), ["h@example.com|1|물리학과|1"])
        XCTAssertEqual(outboxFiles().count, 1, "no mail for an active account")
        XCTAssertEqual(try lastAuditEntry(), "update|hong|ok|email hong@example.com -> h@example.com; level 2 -> (none); department 컴퓨터공학부 -> 물리학과")
    }

    func testSetPasswordHashesAsDjangoAndKillsOutstandingLinks() throws {
        let link = try initAndRegister()
        assertFails(try accounts("set-password", "hong", "--password-stdin", stdin: "\n"), 65, "the password is empty")
        XCTAssertEqual(try accounts("set-password", "hong").status, 64)
        XCTAssertEqual(try accounts("set-password", "hong", "--unusable", "--password-stdin").status, 64)
        let set = try accounts("set-password", "hong", "--password-stdin", stdin: "correct horse battery staple\n")
        XCTAssertEqual(set.status, 0, set.stderr)
        XCTAssertEqual(set.stdout, "")
        XCTAssertTrue(set.stderr.contains("no longer work: their token covers the password hash"), set.stderr)
        let hash = try XCTUnwrap(try sql("SELECT password FROM users").first)
        XCTAssertTrue(hash.hasPrefix("pbkdf2_sha256$1000000$"), hash)
        XCTAssertFalse(try String(contentsOfFile: directory + "/accounts.sqlite3", encoding: .isoLatin1).contains("correct horse"))
        XCTAssertEqual(try lastAuditEntry(), "set-password|hong|ok|password set by an administrator")
        assertFails(try accounts("activate", link), 65, "invalid")

        XCTAssertEqual(try accounts("set-password", "hong", "--unusable").status, 0)
        XCTAssertTrue(try XCTUnwrap(try sql("SELECT password FROM users").first).hasPrefix("!"))
        XCTAssertEqual(try lastAuditEntry(), "set-password|hong|ok|password made unusable by an administrator")
        assertFails(try accounts("set-password", "nobody", "--unusable"), 67, "no account")
    }

    func testADeactivatedAccountIsNeverPurgedNorMailedAndOnlyReactivateTurnsItOn() throws {
        let link = try initAndRegister()
        let before = try dump()
        assertFails(try accounts("deactivate", "hong"), 65, "account 'hong' is not active: it was never activated")
        XCTAssertEqual(try dump(), before)
        XCTAssertEqual(try accounts("activate", link).status, 0)
        XCTAssertEqual(try accounts("deactivate", "hong").status, 0)
        XCTAssertEqual(try lastAuditEntry(), "deactivate|hong|ok|deactivated by an administrator")
        assertFails(try accounts("deactivate", "hong"), 65, "it is deactivated already")
        assertFails(try accounts("send-activation", "hong", "--force"), 65, "was deactivated")
        Thread.sleep(forTimeInterval: 1.1)
        XCTAssertEqual(try accounts("purge-expired", "--older-than", "1s").stdout, "purged 0 accounts\n")
        let on = try accounts("reactivate", "hong", "--format", "json")
        XCTAssertEqual(on.status, 0, on.stderr)
        XCTAssertEqual(try jsonObject(on.stdout)["is_active"] as? Bool, true)
        XCTAssertEqual(try lastAuditEntry(), "reactivate|hong|ok|reactivated by an administrator")
        assertFails(try accounts("reactivate", "hong"), 65, "account 'hong' is already active")

        // An account no link activated: activated by the administrator, recorded as such.
        XCTAssertEqual(try accounts("register", "kim", "kim@example.com", "--no-send").status, 0)
        XCTAssertEqual(try accounts("reactivate", "kim").status, 0)
        XCTAssertEqual(try lastAuditEntry(), "reactivate|kim|ok|activated by an administrator, without a link")
        XCTAssertEqual(try sql("SELECT is_active, activated_at IS NOT NULL FROM users WHERE user_id = 'kim'"), ["1|1"])
    }

    func testDeleteAsksOrNeedsYesArchivesAndCanBeRestored() throws {
        try initAndRegister()
        let before = try dump()
        assertFails(try accounts("delete", "hong"), 64, "pass --yes")
        assertFails(try accounts("delete", "nobody", "--yes"), 67, "no account")
        XCTAssertEqual(try dump(), before)

        let deleted = try accounts("delete", "hong", "--yes")
        XCTAssertEqual(deleted.status, 0, deleted.stderr)
        XCTAssertEqual(deleted.stdout, "")
        XCTAssertTrue(deleted.stderr.contains("accounts restore --id 1 puts it back"), deleted.stderr)
        XCTAssertEqual(try sql("SELECT count(*) FROM users"), ["0"])
        XCTAssertEqual(try sql("SELECT p.user_id, a.action, a.detail FROM purged_users p JOIN audit_log a ON a.id = p.audit_id"),
                       ["hong|delete|deleted by an administrator; archived in purged_users (restore puts it back)"])
        let archived = try accounts("show", "hong", "--archived", "--format", "json")
        XCTAssertEqual(((try jsonObject(archived.stdout))["archived"] as? [[String: Any]])?.count, 1)
        let log = try accounts("log", "--user", "hong", "--format", "json")
        XCTAssertTrue(log.stdout.contains("\"action\":\"delete\""), log.stdout)
        XCTAssertEqual(try accounts("restore", "hong", "--no-send").status, 0)
        XCTAssertEqual(try sql("SELECT id, user_id FROM users"), ["1|hong"])
    }

    /// On a terminal (a real pty): delete asks, and only "y"/"yes" deletes; set-password
    /// --prompt-password asks twice with echo off.
    func testOnATerminalDeleteAsksAndSetPasswordPrompts() throws {
        try initAndRegister("hong", "hong@example.com", extra: ["--no-send"])
        try initAndRegister("kim", "kim@example.com", extra: ["--no-send"])
        let declined = try onATerminal(["delete", "hong"], typing: ["n"])
        XCTAssertEqual(declined.status, 64, declined.stdout)
        XCTAssertTrue(declined.stdout.contains("Delete account 'hong' <hong@example.com> (pending, id 1)? [y/N]"), declined.stdout)
        XCTAssertEqual(try sql("SELECT count(*) FROM users WHERE user_id = 'hong'"), ["1"])
        let accepted = try onATerminal(["delete", "hong"], typing: ["yes"])
        XCTAssertEqual(accepted.status, 0, accepted.stdout)
        XCTAssertEqual(try sql("SELECT count(*) FROM users WHERE user_id = 'hong'"), ["0"])

        let prompted = try onATerminal(["set-password", "kim", "--prompt-password"], typing: ["s3cret-pass", "s3cret-pass"])
        XCTAssertEqual(prompted.status, 0, prompted.stdout)
        XCTAssertFalse(prompted.stdout.contains("s3cret-pass"), "echo is off: \(prompted.stdout)")
        XCTAssertTrue(try XCTUnwrap(try sql("SELECT password FROM users WHERE user_id = 'kim'").first).hasPrefix("pbkdf2_sha256$"))
    }

    /// Django allows a username that is another account's email: `set-password victim@…` must not
    /// pick the account whose user_id is that text. Refused (65, naming both, nothing changed);
    /// --id, --user-id and --email select exactly, on every command that takes a USER.
    func testAReferenceMatchingTwoAccountsIsRefusedAndSelectorsAreExact() throws {
        try initAndRegister("victim", "victim@example.com")
        XCTAssertEqual(try accounts("register", "victim@example.com", "impostor@example.com", "--no-send").status, 0)
        let before = try dump()
        for arguments in [["set-password", "victim@example.com", "--unusable"], ["show", "victim@example.com"],
                          ["send-activation", "victim@example.com"], ["update", "victim@example.com", "--level", "9"],
                          ["deactivate", "victim@example.com"], ["reactivate", "victim@example.com"],
                          ["delete", "victim@example.com", "--yes"], ["log", "--user", "victim@example.com"]] {
            let result = try accounts(arguments)
            assertFails(result, 65, "'victim@example.com' is the user_id of account #2 and the email of account #1 ('victim')")
            XCTAssertTrue(result.stderr.contains("--id 2 or --id 1"), "\(arguments): \(result.stderr)")
        }
        XCTAssertEqual(try dump(), before, "nothing changed")
        let byEmail = try accounts("set-password", "--email", "VICTIM@example.com", "--password-stdin", stdin: "correct horse\n")
        XCTAssertEqual(byEmail.status, 0, byEmail.stderr)
        XCTAssertEqual(try sql("SELECT user_id FROM users WHERE password LIKE 'pbkdf2_sha256$%'"), ["victim"])
        XCTAssertEqual(try accounts("deactivate", "--user-id", "victim@example.com").status, 65, "never activated: refused, but it was found")
        XCTAssertEqual(try accounts("update", "--id", "2", "--level", "9").status, 0)
        XCTAssertEqual(try sql("SELECT user_id FROM users WHERE level = '9'"), ["victim@example.com"])
        XCTAssertEqual(try jsonObject(try accounts("show", "--id", "1", "--format", "json").stdout)["user_id"] as? String, "victim")
        XCTAssertEqual(try accounts("delete", "--user-id", "victim@example.com", "--yes").status, 0)
        XCTAssertEqual(try sql("SELECT user_id FROM users"), ["victim"])
        XCTAssertEqual(try accounts("restore", "--id", "2", "--no-send").status, 0)
        assertFails(try accounts("show", "--id", "1", "--email", "x@example.com"), 64, "name the account once")
        assertFails(try accounts("show"), 64, "name the account")
        assertFails(try accounts("show", "--id", "99"), 67, "no account with id 99")
    }

    /// `log --user` follows the account by id: after a rename and a new account under the old
    /// user_id, each name shows exactly its own account's whole history.
    func testLogFollowsTheAccountThroughRenamesNotTheText() throws {
        try initAndRegister("hong", "hong@example.com")
        XCTAssertEqual(try accounts("update", "hong", "--user-id", "hong2").status, 0)
        XCTAssertEqual(try accounts("register", "hong", "new-hong@example.com", "--no-send").status, 0)
        func log(_ arguments: String...) throws -> [String] {
            let result = try accounts(["log", "--format", "json"] + arguments)
            XCTAssertEqual(result.status, 0, result.stderr)
            return try jsonArray(result.stdout).map { "\($0["account_id"]!) \($0["action"]!)" }
        }
        XCTAssertEqual(try log("--user", "hong2"), ["1 register", "1 send-activation", "1 update"], "the whole history, from before the rename")
        XCTAssertEqual(try log("--user", "hong"), ["2 register"], "the account that is hong now, only")
        XCTAssertEqual(try log("--id", "1"), try log("--user", "hong@example.com"))
        XCTAssertEqual(try log("--user-id-text", "hong"), ["1 register", "1 send-activation", "2 register"], "what the entries recorded")
        // An account gone (deleted) is still found, through its archived copy.
        XCTAssertEqual(try accounts("delete", "hong2", "--yes").status, 0)
        XCTAssertEqual(try log("--user", "hong2"), ["1 register", "1 send-activation", "1 update", "1 delete"])
        assertFails(try accounts("log", "--user", "nobody"), 67, "no account, current or archived, with user_id or email 'nobody'")
    }
}
