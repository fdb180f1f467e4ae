import AccountsCLI
import AccountsCore

/// How register and send-activation report the link they made.
enum ActivationOutput {
    static func print(_ outcome: RegisterWorkflow.Outcome, format: ResultFormat) {
        switch format {
        case .text:
            Output.standardOutput.line(outcome.link.url)
        case .json:
            Output.standardOutput.line(JSONWriter.object([
                ("id", .int(outcome.user.id)),
                ("user_id", .string(outcome.user.userID)),
                ("email", .string(outcome.user.email)),
                ("activation_url", .string(outcome.link.url)),
                ("uid", .string(outcome.link.link.uid)),
                ("token", .string(outcome.link.link.token)),
                ("expires_at", .string(outcome.link.expiresAt.iso8601)),
                ("mail", outcome.deliveredTo.map { .string($0) } ?? .null),
            ]))
        }
    }
}
