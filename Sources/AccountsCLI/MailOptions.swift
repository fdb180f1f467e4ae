import AccountsCore
import ArgumentParser

/// Options of the commands that mail activation links.
package struct MailOptions: ParsableArguments {
    package init() {}

    @Option(name: .long, help: ArgumentHelp("Where mail goes: file (into EMAIL_FILE_PATH, default ./outbox), console (stderr) or smtp.", valueName: "backend"))
    package var emailBackend: String?

    @Option(name: .long, help: ArgumentHelp("Directory of the mail templates (default: the copy built in).", valueName: "dir"))
    package var templates: String?

    @Option(name: .long, help: ArgumentHelp("Activation URL with {uid} and {token}, e.g. https://example.com/users/activate/{uid}/{token}/", valueName: "url"))
    package var activationURL: String?

    package func apply(to settings: inout Settings) throws {
        if let emailBackend {
            guard let kind = MailBackendKind(setting: emailBackend) else {
                throw AccountsError(.usage, "--email-backend must be file, console or smtp, not '\(printable(emailBackend))'")
            }
            settings.emailBackend = kind
        }
        if let templates { settings.templatesDir = templates }
        if let activationURL { settings.activationURL = activationURL }
        try settings.validate()
    }
}
