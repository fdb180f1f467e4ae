import AccountsCLI
import AccountsCore
import ArgumentParser

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the database and a secrets file with a fresh random SECRET_KEY.",
        discussion: """
            The secrets file is written with mode 0600. An existing secrets file is never replaced (a \
            new key would invalidate every link already mailed), so running init again is safe. To share \
            a Django site's key, put its SECRET_KEY into the secrets file instead.
            """
    )

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let context = try CommandContext(global)
        _ = try context.store(create: true)
        do {
            try Secrets.create(path: context.settings.secretsFile)
            context.info("created \(context.settings.secretsFile) with a new SECRET_KEY (mode 0600)")
        } catch let error as AccountsError where error.kind == .cannotCreate {
            context.info("kept existing \(context.settings.secretsFile)")
            _ = try context.secrets()
        }
        context.info("database ready: \(context.settings.database)")
    }
}
