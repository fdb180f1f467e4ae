import AccountsCore
import AccountsTestSupport
import Foundation
import XCTest

/// The live cross-check with Django 5.2 (psycopg, from PyPI) on the same PostgreSQL database:
/// links and hashes both ways, a used link fails on both sides, and a users table made by
/// Django's own `migrate` adopted by `accounts` without touching Django's columns.
final class DjangoPostgresCrossCheckTests: PostgresCLITestCase {
    static let script = root.appendingPathComponent("Tests/django/crosscheck.py").path
    let secretKey = "cross-check-key-\(UUID().uuidString)"
    var python = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        python = try testPython()
        try JSONSerialization.data(withJSONObject: ["SECRET_KEY": secretKey]).write(to: URL(fileURLWithPath: directory + "/secrets.json"))
        chmod(directory + "/secrets.json", 0o600)
        environment["ACCOUNTS_TIME_ZONE"] = "Asia/Seoul"
    }

    func django(_ arguments: String..., stdin: String? = nil, managed: Bool = false) throws -> Run {
        let result = try run(python, [Self.script, "db", uri] + arguments, stdin: stdin,
                             env: ["DJ_SECRET_KEY": secretKey, "DJ_TIME_ZONE": "Asia/Seoul", "DJ_MANAGED": managed ? "1" : "0"])
        XCTAssertEqual(result.status, 0, "Django side failed: \(result.stderr)")
        return result
    }

    func show(_ userID: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try django("show", userID).stdout.utf8)) as? [String: Any])
    }

    /// Both directions on one table: what accounts writes Django reads and accepts, and the reverse.
    func sharedTableFlow() throws {
        let registered = try accounts("register", "hong", "hong@Example.com", "--password-stdin", stdin: "pa55 word 비번\n")
        XCTAssertEqual(registered.status, 0, registered.stderr)
        let token = String(registered.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "/").last!)
        XCTAssertEqual(try django("check-token", "hong", token).stdout, "true\n")
        XCTAssertEqual(try django("check-password", "hong", stdin: "pa55 word 비번").stdout, "true\n")
        XCTAssertEqual(try django("check-password", "hong", stdin: "wrong").stdout, "false\n")
        let shown = try show("hong")
        XCTAssertEqual(shown["email"] as? String, "hong@example.com")
        XCTAssertEqual(shown["is_active"] as? Bool, false)
        XCTAssertEqual(shown["department"] as? String, "컴퓨터공학부")
        XCTAssertTrue((shown["date_joined"] as? String)?.hasSuffix("+00:00") == true, "Django reads it as aware UTC")

        // accounts activates: Django sees it, and the link is used up on both sides.
        XCTAssertEqual(try accounts("activate", registered.stdout).status, 0)
        let active = try show("hong")
        XCTAssertEqual(active["is_active"] as? Bool, true)
        XCTAssertEqual(active["last_login"] as? String, active["activated_at"] as? String)
        XCTAssertEqual(try django("check-token", "hong", token).stdout, "false\n", "single-use in Django too")
        assertFails(try accounts("activate", registered.stdout), 65, "already active")

        // Django registers through its ORM; accounts lists it and activates Django's link.
        XCTAssertEqual(try django("create-user", "kim", "kim@example.com", stdin: "django-made password").stdout, "2\n")
        let listed = try jsonArray(try accounts("list", "--state", "pending", "--format", "json").stdout)
        XCTAssertEqual(listed.map { $0["user_id"] as? String }, ["kim"])
        let link = try django("make-link", "kim").stdout.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        let activated = try accounts("activate", "https://django.example/users/activate/\(link[0])/\(link[1])/")
        XCTAssertEqual(activated.status, 0, activated.stderr)
        XCTAssertEqual(try django("check-token", "kim", link[1]).stdout, "false\n")
        let stored = try XCTUnwrap(try psql("SELECT password FROM users WHERE user_id = 'kim'").first)
        XCTAssertTrue(PasswordHasher().verify("django-made password", against: stored))

        // The documented view (docs/django.md), on PostgreSQL: GET changes nothing, POST activates once.
        let lee = try accounts("register", "lee", "lee@example.com")
        let parts = lee.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "/").suffix(2).map(String.init)
        XCTAssertTrue(try django(["view", "GET"] + parts).stdout.hasPrefix("200 <form"))
        XCTAssertEqual(try psql("SELECT is_active FROM users WHERE user_id = 'lee'"), ["f"])
        XCTAssertEqual(try django(["view", "POST"] + parts).stdout, "200 메일 인증이 완료 되었습니다\n")
        XCTAssertTrue(try django(["view", "POST"] + parts).stdout.hasPrefix("400 "))
    }

    func django(_ arguments: [String]) throws -> Run {
        let result = try run(python, [Self.script, "db", uri] + arguments, env: ["DJ_SECRET_KEY": secretKey, "DJ_TIME_ZONE": "Asia/Seoul"])
        XCTAssertEqual(result.status, 0, "Django side failed: \(result.stderr)")
        return result
    }

    func testAccountsOwnsTheSchemaAndDjangoSharesIt() throws {
        XCTAssertEqual(try accounts("init", "-q").status, 0)
        // The column types Django 5.2's PostgreSQL backend makes for the model.
        let columns = try psql("""
            SELECT column_name || ' ' || format_type(atttypid, atttypmod) || ' ' || is_nullable
            FROM information_schema.columns c JOIN pg_attribute a ON a.attrelid = 'users'::regclass AND a.attname = c.column_name
            WHERE table_name = 'users' ORDER BY ordinal_position
            """)
        XCTAssertEqual(columns, [
            "id bigint NO", "password character varying(128) NO", "last_login timestamp with time zone YES",
            "user_id character varying(150) NO", "email character varying(254) NO", "is_active boolean NO", "level text YES",
            "department text YES", "date_joined timestamp with time zone NO", "activation_sent_at timestamp with time zone YES",
            "activated_at timestamp with time zone YES",
        ])
        XCTAssertEqual(try psql("SELECT is_identity, identity_generation FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'id'"),
                       ["YES|BY DEFAULT"])
        try sharedTableFlow()
    }

    func testATableMadeByDjangosMigrateIsAdoptedAsItIs() throws {
        _ = try django("migrate", managed: true)
        let before = try django("columns").stdout
        XCTAssertTrue(before.contains("\"bigint\""), before)
        let adopted = try accounts("init")
        XCTAssertEqual(adopted.status, 0, adopted.stderr)
        XCTAssertEqual(try django("columns").stdout, before, "not one Django column altered")
        XCTAssertEqual(try psql("SELECT count(*) FROM pg_tables WHERE tablename IN ('audit_log', 'purged_users', 'outbox', 'purge_lease')"), ["4"])
        XCTAssertEqual(try psql("SELECT indexdef LIKE '%upper((email)::text)%' FROM pg_indexes WHERE indexname = 'users_email_upper'"), ["t"])
        try sharedTableFlow()
    }

    func testATableThatLacksAColumnIsRefusedByName() throws {
        try psql("""
            CREATE TABLE users (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, password varchar(128) NOT NULL,
                last_login timestamptz, user_id varchar(150) NOT NULL UNIQUE, email varchar(254) NOT NULL,
                is_active boolean NOT NULL, level text, department text, date_joined timestamptz NOT NULL,
                activation_sent_at timestamptz);
            ALTER TABLE users OWNER TO accounts
            """)
        assertFails(try accounts("init"), 78, "the users table (made by another program) has no activated_at column")
        XCTAssertEqual(try psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), ["1"], "nothing added")
        try psql("ALTER TABLE users ADD COLUMN activated_at timestamp, ADD COLUMN nickname text NOT NULL")
        assertFails(try accounts("init"), 78, "users.activated_at is timestamp without time zone; accounts needs timestamp with time zone")
        try psql("ALTER TABLE users ALTER COLUMN activated_at TYPE timestamptz")
        assertFails(try accounts("init"), 78, "users.nickname is NOT NULL without a default")
        try psql("ALTER TABLE users ALTER COLUMN nickname SET DEFAULT ''")
        let adopted = try accounts("init", "-q")
        XCTAssertEqual(adopted.status, 0, adopted.stderr)
    }
}
