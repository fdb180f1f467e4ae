import AccountsCLI
import AccountsCore
import ArgumentParser
import Foundation

/// The link argument of `activate` and `inspect`: the URL as pasted, its uid and token, or `-`
/// for the URL on standard input (which keeps it out of `ps`).
struct LinkArguments: ParsableArguments {
    @Argument(help: ArgumentHelp("The activation URL, or its uid and token, or - for the URL on standard input.", valueName: "url | uid token | -"))
    var link: [String] = []

    func validate() throws {
        guard (1...2).contains(link.count) else {
            throw ValidationError("give the activation URL, or the uid and the token (\(link.count) arguments given)")
        }
    }

    /// The link, read as `template` places its uid and token (or as the last two path segments).
    func parsed(_ template: LinkTemplate) throws -> ActivationLink {
        if link.count == 2 {
            return ActivationLink(uid: link[0], token: link[1])
        }
        let text = link[0] == "-" ? try Self.readStandardInput() : link[0]
        guard text.utf8.count <= ActivationLink.maximumLength else {
            throw AccountsError(.badData, "invalid activation link: \(text.utf8.count) bytes, longer than any link (at most \(ActivationLink.maximumLength))")
        }
        guard let fromURL = template.link(pasted: text) else {
            let shape = template.shape.hasPrefix("?") ? "hold \(template.shape) nor end in /<uid>/<token>/" : "end in /<uid>/<token>/"
            throw AccountsError(.badData, "invalid activation link: '\(printable(text, limit: 100))' does not \(shape)")
        }
        return fromURL
    }

    /// The link piped in: UTF-8, read up to a bound so that a runaway pipe cannot exhaust memory.
    private static func readStandardInput() throws -> String {
        let limit = 1 << 20
        let data = FileHandle.standardInput.readData(ofLength: limit + 1)
        guard data.count <= limit else {
            throw AccountsError(.badData, "invalid activation link: more than \(limit) bytes on standard input")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw AccountsError(.badData, "invalid activation link: standard input is not UTF-8 text")
        }
        return text
    }
}
