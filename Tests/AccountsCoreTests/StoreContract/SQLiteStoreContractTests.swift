import AccountsCore
import Foundation
import XCTest

/// The store contract (AccountStoreContract), run against SQLiteStore.
final class SQLiteStoreContractTests: XCTestCase, AccountStoreContract {
    var path = ""

    override func setUpWithError() throws {
        path = try temporaryDirectory(self) + "/contract.sqlite3"
    }

    func openStore(actor: String) throws -> AccountStore {
        try SQLiteStore(path: path, create: true, actor: actor)
    }

    func setActiveOutsideTheStore(id: Int64, _ active: Bool) throws {
        try sqlite3(path, "UPDATE users SET is_active = \(active ? 1 : 0) WHERE id = \(id)")
    }

    func setLastLoginOutsideTheStore(id: Int64, at instant: UTCDateTime) throws {
        try sqlite3(path, "UPDATE users SET last_login = '\(instant.storageText)' WHERE id = \(id)")
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

/// Runs SQL with the sqlite3 shell, outside the store, as another program would.
@discardableResult
func sqlite3(_ path: String, _ sql: String) throws -> [String] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
    process.arguments = [path, sql]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    if process.terminationStatus != 0 { throw AccountsError(.unavailable, "sqlite3 failed: \(sql)") }
    return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
}
