import AccountsCLI
import AccountsCore

/// The one line on stderr after an administrator's change: what changed, and what it means for
/// links already mailed (the token covers the email and the password hash).
enum ChangeMessages {
    static func report(_ change: AccountChange, context: CommandContext, action: String) {
        var message = "\(action) '\(change.after.userID)'"
        let shown = change.fields.filter { $0.name != "password" && $0.name != "is_active" }
        if !shown.isEmpty {
            message += ": " + shown.map { "\($0.name) \($0.old ?? "(none)") -> \($0.new ?? "(none)")" }.joined(separator: ", ")
        }
        let emailChanged = change.before.email != change.after.email
        if change.before.password != change.after.password {
            message += "; links made before (activation, password reset) no longer work: their token covers the password hash"
        } else if change.linksInvalidated {
            message += "; activation links mailed before no longer work: their token covers the email"
        } else if emailChanged {
            message += "; the new address was not verified (an administrator's change)"
        }
        if let link = change.newLink {
            message += link.deliveredTo.map { "; a fresh activation link was mailed to \($0)" } ?? "; a fresh activation link is on stdout, not mailed (--no-send)"
        }
        context.info(message)
    }
}
