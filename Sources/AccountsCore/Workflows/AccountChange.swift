/// What an administrator's change did to one account, for the command to print: the account
/// before and after, each field that changed, and what it means for links already mailed.
public struct AccountChange: Sendable {
    public struct Field: Sendable, Equatable {
        public var name: String
        public var old: String?
        public var new: String?
    }

    public var before: User
    public var after: User
    public var fields: [Field]
    /// The token covers the email and the password hash: changing either kills every link made
    /// before (true only when the account could still be activated by one).
    public var linksInvalidated: Bool
    /// A fresh link for the new address (update of a never-activated account's email), with
    /// where it was mailed (nil: not mailed).
    public var newLink: RegisterWorkflow.Outcome?

    init(before: User, after: User) {
        self.before = before
        self.after = after
        var fields: [Field] = []
        func compare(_ name: String, _ old: String?, _ new: String?) {
            if old != new { fields.append(Field(name: name, old: old, new: new)) }
        }
        compare("user_id", before.userID, after.userID)
        compare("email", before.email, after.email)
        compare("level", before.level, after.level)
        compare("department", before.department, after.department)
        compare("is_active", String(before.isActive), String(after.isActive))
        if before.password != after.password { fields.append(Field(name: "password", old: nil, new: nil)) }
        self.fields = fields
        linksInvalidated = ActivationWindow.isNeverActivated(before) && (before.email != after.email || before.password != after.password)
    }
}
