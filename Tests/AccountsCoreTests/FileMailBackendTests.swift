@testable import AccountsCore
import Foundation
import XCTest

/// The file backend holds live tokens: each mail 0600 from its first instant whatever the
/// umask, the directory 0700, written whole (no temporary file left, the bytes as rendered).
final class FileMailBackendTests: XCTestCase {
    func testEachMailIsWrittenWholeAndPrivateWhateverTheUmask() throws {
        let directory = try temporaryDirectory(self) + "/outbox"
        let previous = umask(0o022)
        defer { umask(previous) }
        let message = MailMessage(from: "no-reply@example.com", to: "hong@example.com", subject: "인증", textBody: "https://x/a/MQ/t/\n",
                                  htmlBody: "<p>x</p>", date: UTCDateTime(epochSeconds: 1_795_000_000))
        let receipt = try FileMailBackend(directory: directory).send(message)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
        XCTAssertEqual(files.count, 1, "no temporary file left: \(files)")
        XCTAssertEqual(directory + "/" + files[0], receipt.destination)
        XCTAssertTrue(files[0].hasSuffix(".eml"))
        let mode = { (path: String) in (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue }
        XCTAssertEqual(try mode(receipt.destination), 0o600)
        XCTAssertEqual(try mode(directory), 0o700)
        let written = try XCTUnwrap(MailReading(try Data(contentsOf: URL(fileURLWithPath: receipt.destination))), "a whole mail")
        XCTAssertTrue(written.forPeople.contains("To: hong@example.com"), written.forPeople)
        XCTAssertTrue(written.forPeople.contains("https://x/a/MQ/t/"), written.forPeople)
        _ = try FileMailBackend(directory: directory).send(message)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory).count, 2, "one file a message")
    }

    /// `ls` (and `outbox list`) shows mails in the order they were written, also many in one second.
    func testNamesSortInTheOrderTheMailsWereWritten() throws {
        let directory = try temporaryDirectory(self) + "/outbox"
        let backend = FileMailBackend(directory: directory)
        var destinations: [String] = []
        for number in 0..<20 {
            let message = MailMessage(from: "no-reply@example.com", to: "user\(number)@example.com", subject: "s", textBody: "t\n",
                                      htmlBody: "<p>t</p>", date: UTCDateTime(epochSeconds: 1_795_000_000))
            destinations.append(try backend.send(message).destination)
        }
        XCTAssertEqual(destinations, destinations.sorted(), "twenty mails in well under a second, named in order")
    }
}
