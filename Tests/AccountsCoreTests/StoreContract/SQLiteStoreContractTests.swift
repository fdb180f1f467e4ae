import AccountsCore
import Foundation
import XCTest

/// The store contract (AccountStoreContract), run against SQLiteStore.
final class SQLiteStoreContractTests: XCTestCase, AccountStoreContract {
    var path = ""
    var directory = ""
    var databases = 0

    override func setUpWithError() throws {
        directory = try temporaryDirectory(self)
        try useFreshDatabase()
    }

    func useFreshDatabase() throws {
        databases += 1
        path = directory + "/contract-\(databases).sqlite3"
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

    func testEveryContractCheck() throws { try runEveryContractCheck() }

    /// A check written in the contract's files but missing from `contractChecks` would run on
    /// no store.
    func testEveryCheckWrittenIsInTheList() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        var written: [String] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".swift") {
            let source = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            let pattern = try NSRegularExpression(pattern: #"func check(\w+)\(\) throws"#)
            for match in pattern.matches(in: source, range: NSRange(source.startIndex..., in: source)) {
                written.append(String(source[Range(match.range(at: 1), in: source)!]))
            }
        }
        XCTAssertGreaterThan(written.count, 20)
        XCTAssertEqual(Set(written), Set(Self.contractChecks.map { $0.name }))
        XCTAssertEqual(written.count, Self.contractChecks.count, "each check once")
    }
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
