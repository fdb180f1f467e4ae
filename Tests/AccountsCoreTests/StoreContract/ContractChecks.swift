import Foundation
import XCTest

/// Every check of the store contract, once. Each store's test case runs this list
/// (`runEveryContractCheck`), each check on a fresh database: a new check is one line here, not
/// one here and a forwarding function in each store's test file.
extension AccountStoreContract {
    static var contractChecks: [ContractCheck<Self>] {
        [
            ContractCheck("InsertReadsBackExactly") { try $0.checkInsertReadsBackExactly() },
            ContractCheck("DuplicatesAreNamed") { try $0.checkDuplicatesAreNamed() },
            ContractCheck("DuplicatesAreNamedUnderARace") { try $0.checkDuplicatesAreNamedUnderARace() },
            ContractCheck("RegisterAllIsAllOrNothing") { try $0.checkRegisterAllIsAllOrNothing() },
            ContractCheck("IDsAreNeverReused") { try $0.checkIDsAreNeverReused() },
            ContractCheck("ActivationIsSingleUseAndConditional") { try $0.checkActivationIsSingleUseAndConditional() },
            ContractCheck("ActivationIsSingleUseUnderARace") { try $0.checkActivationIsSingleUseUnderARace() },
            ContractCheck("AnAccountActiveOnceIsNeverNeverActivated") { try $0.checkAnAccountActiveOnceIsNeverNeverActivated() },
            ContractCheck("StatesOrderAndLimit") { try $0.checkStatesOrderAndLimit() },
            ContractCheck("MailClaimHonoursTheCooldownAndCanBeReleased") { try $0.checkMailClaimHonoursTheCooldownAndCanBeReleased() },
            ContractCheck("TheCooldownCountsPerAddress") { try $0.checkTheCooldownCountsPerAddress() },
            ContractCheck("AVisitorsRequestsStopAtTheLimit") { try $0.checkAVisitorsRequestsStopAtTheLimit() },
            ContractCheck("ExpiredIsOneDefinitionAtTheCutoff") { try $0.checkExpiredIsOneDefinitionAtTheCutoff() },
            ContractCheck("PendingClaimsNeverOverlap") { try $0.checkPendingClaimsNeverOverlap() },
            ContractCheck("AnOutboxRowIsTakenOnceAndRecordsItsFate") { try $0.checkAnOutboxRowIsTakenOnceAndRecordsItsFate() },
            ContractCheck("NoRowIsTakenTwiceUnderARace") { try $0.checkNoRowIsTakenTwiceUnderARace() },
            ContractCheck("MailKindsAreKeptApart") { try $0.checkMailKindsAreKeptApart() },
            ContractCheck("PurgeArchivesExactlyTheExpiredNeverActivatedAccounts") { try $0.checkPurgeArchivesExactlyTheExpiredNeverActivatedAccounts() },
            ContractCheck("RestorePutsTheLatestArchivedCopyBack") { try $0.checkRestorePutsTheLatestArchivedCopyBack() },
            ContractCheck("EveryChangeIsAudited") { try $0.checkEveryChangeIsAudited() },
            ContractCheck("APurgeIsLoggedPerAccount") { try $0.checkAPurgeIsLoggedPerAccount() },
            ContractCheck("AnUpdateIsConditionalAuditedAndNamesDuplicates") { try $0.checkAnUpdateIsConditionalAuditedAndNamesDuplicates() },
            ContractCheck("AReferenceMatchingTwoAccountsIsRefused") { try $0.checkAReferenceMatchingTwoAccountsIsRefused() },
            ContractCheck("ReactivatingRecordsTheActivation") { try $0.checkReactivatingRecordsTheActivation() },
            ContractCheck("ADeletionIsArchivedLikeAPurgeAndRestorable") { try $0.checkADeletionIsArchivedLikeAPurgeAndRestorable() },
            ContractCheck("StatisticsCountWhatTheLogSays") { try $0.checkStatisticsCountWhatTheLogSays() },
            ContractCheck("AuditIDsAreTheCommittedOnesInOrder") { try $0.checkAuditIDsAreTheCommittedOnesInOrder() },
        ]
    }

    /// Runs every check, or those whose name contains ACCOUNTS_CONTRACT_CHECK, each on a fresh
    /// database (`useFreshDatabase`). A failure's line is in the check; the log line before it
    /// names the check, and a thrown error is reported with its name.
    func runEveryContractCheck() throws {
        let only = ProcessInfo.processInfo.environment["ACCOUNTS_CONTRACT_CHECK"].flatMap { $0.isEmpty ? nil : $0 }
        var ran = 0
        for check in Self.contractChecks where only.map({ check.name.contains($0) }) ?? true {
            try useFreshDatabase()
            print("contract check \(check.name) on \(Self.self)")
            do {
                try check.run(self)
            } catch {
                XCTFail("contract check \(check.name) threw: \(error)")
            }
            ran += 1
        }
        XCTAssertGreaterThan(ran, 0, "no contract check has a name containing '\(only ?? "")'")
    }
}

/// One check of the contract, by name, for the store test case `Store`.
struct ContractCheck<Store> {
    let name: String
    let run: (Store) throws -> Void

    init(_ name: String, _ run: @escaping (Store) throws -> Void) {
        self.name = name
        self.run = run
    }
}
