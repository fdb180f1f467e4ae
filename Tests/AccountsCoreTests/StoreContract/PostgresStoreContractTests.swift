import AccountsCore
import AccountsTestSupport
import Foundation
import XCTest

/// The store contract (AccountStoreContract), unchanged, against PostgresStore on a real server
/// (PostgresServer), each check in a database of its own.
final class PostgresStoreContractTests: XCTestCase, AccountStoreContract {
    var server: PostgresServer!
    var database = ""

    override func setUpWithError() throws {
        server = try PostgresServer.shared()
    }

    func useFreshDatabase() throws {
        database = try server.createDatabase()
    }

    func openStore(actor: String) throws -> AccountStore {
        let target = try XCTUnwrap({ if case .postgres(let target) = try DatabaseLocation(server.uri(database)) { target } else { nil } }())
        return try PostgresStore(target: target, create: true, password: PostgresServer.password, actor: actor)
    }

    func setActiveOutsideTheStore(id: Int64, _ active: Bool) throws {
        try server.psql(database, "UPDATE users SET is_active = \(active) WHERE id = \(id)")
    }

    func setLastLoginOutsideTheStore(id: Int64, at instant: UTCDateTime) throws {
        try server.psql(database, "UPDATE users SET last_login = '\(instant.storageText)+00' WHERE id = \(id)")
    }

    func testEveryContractCheck() throws { try runEveryContractCheck() }
}
