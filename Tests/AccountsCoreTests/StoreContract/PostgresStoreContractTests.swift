import AccountsCore
import AccountsTestSupport
import Foundation
import XCTest

/// The store contract (AccountStoreContract), unchanged, against PostgresStore on a real server
/// (PostgresServer), each test in a database of its own.
final class PostgresStoreContractTests: XCTestCase, AccountStoreContract {
    var server: PostgresServer!
    var database = ""

    override func setUpWithError() throws {
        server = try PostgresServer.shared()
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

    func testInsertReadsBackExactly() throws { try checkInsertReadsBackExactly() }
    func testDuplicatesAreNamed() throws { try checkDuplicatesAreNamed() }
    func testDuplicatesAreNamedUnderARace() throws { try checkDuplicatesAreNamedUnderARace() }
    func testRegisterAllIsAllOrNothing() throws { try checkRegisterAllIsAllOrNothing() }
    func testIDsAreNeverReused() throws { try checkIDsAreNeverReused() }
    func testActivationIsSingleUseAndConditional() throws { try checkActivationIsSingleUseAndConditional() }
    func testActivationIsSingleUseUnderARace() throws { try checkActivationIsSingleUseUnderARace() }
    func testAnAccountActiveOnceIsNeverNeverActivated() throws { try checkAnAccountActiveOnceIsNeverNeverActivated() }
    func testStatesOrderAndLimit() throws { try checkStatesOrderAndLimit() }
    func testMailClaimHonoursTheCooldownAndCanBeReleased() throws { try checkMailClaimHonoursTheCooldownAndCanBeReleased() }
    func testTheCooldownCountsPerAddress() throws { try checkTheCooldownCountsPerAddress() }
    func testAVisitorsRequestsStopAtTheLimit() throws { try checkAVisitorsRequestsStopAtTheLimit() }
    func testExpiredIsOneDefinitionAtTheCutoff() throws { try checkExpiredIsOneDefinitionAtTheCutoff() }
    func testPendingClaimsNeverOverlap() throws { try checkPendingClaimsNeverOverlap() }
    func testAnOutboxRowIsTakenOnceAndRecordsItsFate() throws { try checkAnOutboxRowIsTakenOnceAndRecordsItsFate() }
    func testNoRowIsTakenTwiceUnderARace() throws { try checkNoRowIsTakenTwiceUnderARace() }
    func testMailKindsAreKeptApart() throws { try checkMailKindsAreKeptApart() }
    func testPurgeArchivesExactlyTheExpiredNeverActivatedAccounts() throws { try checkPurgeArchivesExactlyTheExpiredNeverActivatedAccounts() }
    func testRestorePutsTheLatestArchivedCopyBack() throws { try checkRestorePutsTheLatestArchivedCopyBack() }
    func testEveryChangeIsAudited() throws { try checkEveryChangeIsAudited() }
    func testAPurgeIsLoggedPerAccount() throws { try checkAPurgeIsLoggedPerAccount() }
    func testAnUpdateIsConditionalAuditedAndNamesDuplicates() throws { try checkAnUpdateIsConditionalAuditedAndNamesDuplicates() }
    func testAReferenceMatchingTwoAccountsIsRefused() throws { try checkAReferenceMatchingTwoAccountsIsRefused() }
    func testReactivatingRecordsTheActivation() throws { try checkReactivatingRecordsTheActivation() }
    func testADeletionIsArchivedLikeAPurgeAndRestorable() throws { try checkADeletionIsArchivedLikeAPurgeAndRestorable() }
    func testStatisticsCountWhatTheLogSays() throws { try checkStatisticsCountWhatTheLogSays() }
    func testAuditIDsAreTheCommittedOnesInOrder() throws { try checkAuditIDsAreTheCommittedOnesInOrder() }
}
