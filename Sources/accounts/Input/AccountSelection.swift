import AccountsCLI
import AccountsCore
import ArgumentParser

/// How a command that acts on one account names it: USER (a user_id, or else an email), or
/// exactly one of --id, --user-id, --email when a user_id could be read as another account's
/// email (a USER matching two accounts is refused).
struct AccountSelection: ParsableArguments {
    @Argument(help: ArgumentHelp("The account's user_id or email (refused when it is one account's user_id and another's email).", valueName: "user"))
    var user: String?

    @Option(name: .customLong("id"), help: ArgumentHelp("The account with this id instead of USER.", valueName: "n"))
    var id: Int64?

    @Option(name: .customLong("user-id"), help: ArgumentHelp("The account with exactly this user_id instead of USER.", valueName: "user-id"))
    var userID: String?

    @Option(name: .customLong("email"), help: ArgumentHelp("The account with this email (ignoring case) instead of USER.", valueName: "email"))
    var email: String?

    /// The one reference given, nil when none was.
    var reference: AccountReference? {
        if let user { return .either(user) }
        if let id { return .id(id) }
        if let userID { return .userID(userID) }
        if let email { return .email(email) }
        return nil
    }

    func validate() throws {
        let given = [user != nil, id != nil, userID != nil, email != nil].filter { $0 }.count
        guard given <= 1 else { throw ValidationError("name the account once: USER, --id, --user-id or --email") }
    }

    /// The reference, required.
    func required() throws -> AccountReference {
        guard let reference else { throw ValidationError("name the account: USER, --id, --user-id or --email") }
        return reference
    }
}

/// `update`'s own --user-id and --email are the new values, so it names the account by USER or --id.
struct AccountByUserOrID: ParsableArguments {
    @Argument(help: ArgumentHelp("The account's user_id or email (refused when it is one account's user_id and another's email).", valueName: "user"))
    var user: String?

    @Option(name: .customLong("id"), help: ArgumentHelp("The account with this id instead of USER.", valueName: "n"))
    var id: Int64?

    func validate() throws {
        guard (user == nil) != (id == nil) else { throw ValidationError("name the account: USER or --id") }
    }

    var reference: AccountReference { id.map { .id($0) } ?? .either(user ?? "") }
}
