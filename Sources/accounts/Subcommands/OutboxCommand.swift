import AccountsCLI
import AccountsCore
import ArgumentParser

struct OutboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "Show the activation mails and their delivery state; retry what is due.",
        discussion: """
            Every activation mail is a row before it is sent. States: queued, sending (being sent, or \
            interrupted by a crash: never resent by itself), sent, failed-temporary (4xx, timeout, \
            server or settings problem: retried when due), failed-permanent (5xx to the message or \
            recipient: not retried). See docs/outbox.md.
            """,
        subcommands: [OutboxListCommand.self, OutboxRetryCommand.self, OutboxReadCommand.self],
        defaultSubcommand: OutboxListCommand.self
    )
}
