import Foundation
import XCTest

/// A fresh directory under /tmp, removed when the test ends.
func temporaryDirectory(_ test: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "accounts-test-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

@testable import AccountsCore

extension AccountStore {
    /// What `accounts restore USER` does with the store: the newest archived copy `reference`
    /// names, put back.
    func restore(_ reference: String, at instant: UTCDateTime) throws -> User {
        try restore(archiveID: try latestArchive(matching: .either(reference)).archiveID, at: instant)
    }
}
