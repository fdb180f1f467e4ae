import AccountsCLI
import AccountsCore
import ArgumentParser
import Foundation

struct OutboxReadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read",
        abstract: "Print a mail the file backend wrote (an .eml in EMAIL_FILE_PATH) as its reader sees it.",
        discussion: """
            The .eml files in ./outbox are MIME as they would go over SMTP: the subject encoded, both \
            parts base64. This prints From, To, Subject and Date decoded, and the text part, link \
            included. Changes nothing.
            """
    )

    @Argument(help: ArgumentHelp("The .eml file, or - for standard input.", valueName: "file"))
    var file: String

    func run() throws {
        let data: Data
        if file == "-" {
            data = FileHandle.standardInput.readData(ofLength: 1 << 20)
        } else {
            guard let contents = FileManager.default.contents(atPath: file) else {
                throw AccountsError(.noInput, "cannot read \(file)")
            }
            data = contents
        }
        guard let mail = MailReading(data) else {
            throw AccountsError(.badData, "\(file) is not a mail accounts wrote (no headers, or no text part)")
        }
        // Line by line: a stored control character is shown escaped, the text's own lines kept.
        for line in mail.forPeople.split(separator: "\n", omittingEmptySubsequences: false) {
            Output.standardOutput.line(printable(String(line), limit: Int.max))
        }
    }
}
