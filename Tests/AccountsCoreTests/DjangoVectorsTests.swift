import AccountsCore
import Foundation
import XCTest

/// Tokens, uids and password hashes against values Django 5.2 computed itself.
///
/// django_vectors.json is made by Tests/django/make_vectors.py, which runs Django's own
/// PasswordResetTokenGenerator, urlsafe_base64_encode and PBKDF2PasswordHasher:
///
///     .venv/bin/python Tests/django/make_vectors.py > Tests/AccountsCoreTests/django_vectors.json
final class DjangoVectorsTests: XCTestCase {
    struct Vectors: Decodable {
        struct Token: Decodable {
            let id: Int64
            let password: String
            let last_login: String?
            let email: String
            let timestamp: Int64
            let secret: String
            let token: String
        }
        struct UID: Decodable {
            let id: Int64
            let uid: String
        }
        struct Password: Decodable {
            let password: String
            let salt: String
            let iterations: Int
            let encoded: String
        }
        let django_version: String
        let key_salt: String
        let tokens: [Token]
        let uids: [UID]
        let passwords: [Password]
    }

    struct Subject: TokenSubject {
        let id: Int64
        let password: String
        let lastLogin: UTCDateTime?
        let email: String
    }

    static let vectors: Vectors = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("django_vectors.json")
        return try! JSONDecoder().decode(Vectors.self, from: Data(contentsOf: url))
    }()

    func testVectorsComeFromDjango52() {
        XCTAssertTrue(Self.vectors.django_version.hasPrefix("5.2"), Self.vectors.django_version)
        XCTAssertEqual(Self.vectors.key_salt, ActivationPurpose().keySalt)
        XCTAssertGreaterThan(Self.vectors.tokens.count, 100)
    }

    func testTokensMatchDjangoByteForByte() throws {
        for vector in Self.vectors.tokens {
            let lastLogin = try vector.last_login.map { try XCTUnwrap(UTCDateTime(storageText: $0), $0) }
            let subject = Subject(id: vector.id, password: vector.password, lastLogin: lastLogin, email: vector.email)
            let generator = TokenGenerator(secretKey: vector.secret)
            XCTAssertEqual(generator.makeToken(for: subject, timestamp: vector.timestamp), vector.token,
                           "id \(vector.id) ts \(vector.timestamp) secret \(vector.secret)")
        }
    }

    func testDjangoTokensAreAcceptedWithTheRightKeyIndex() throws {
        let current = "vector-secret-not-for-production"
        let generator = TokenGenerator(secretKey: current, fallbacks: ["old-key-1", "old-key-2"], timeout: 259_200)
        let keyIndex = [current: 0, "old-key-1": 1, "old-key-2": 2]
        for vector in Self.vectors.tokens where vector.timestamp == 820_368_000 {
            let subject = Subject(id: vector.id, password: vector.password,
                                  lastLogin: vector.last_login.flatMap(UTCDateTime.init(storageText:)), email: vector.email)
            // 820368000 s after 2001-01-01 is 2026-12-31 00:00 UTC; check one hour later.
            let now = UTCDateTime(epochSeconds: 978_307_200 + 820_368_000 + 3600)
            let verdict = generator.check(vector.token, for: subject, at: now)
            if let index = keyIndex[vector.secret] {
                XCTAssertEqual(verdict, .valid(keyIndex: index, issuedAt: 820_368_000))
            } else {
                XCTAssertEqual(verdict, .invalid, "a key that is neither current nor a fallback must not verify")
            }
        }
    }

    func testUIDsMatchDjango() {
        for vector in Self.vectors.uids {
            XCTAssertEqual(UIDCodec.encode(vector.id), vector.uid)
            XCTAssertEqual(UIDCodec.decode(vector.uid), vector.id)
        }
    }

    func testPasswordHashesMatchDjango() {
        for vector in Self.vectors.passwords {
            let hasher = PasswordHasher(iterations: vector.iterations)
            XCTAssertEqual(hasher.hash(vector.password, salt: vector.salt), vector.encoded)
            XCTAssertTrue(PasswordHasher().verify(vector.password, against: vector.encoded))
            XCTAssertFalse(PasswordHasher().verify(vector.password + "x", against: vector.encoded))
        }
    }
}
