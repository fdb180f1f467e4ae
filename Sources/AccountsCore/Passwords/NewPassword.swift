/// What a password someone chose must be, whichever front end takes it (the CLI's standard
/// input and prompt today, a page's form next): not empty, and at most `maximumLength` bytes.
public enum NewPassword {
    /// The longest password taken, in bytes: what Django once capped passwords at against a
    /// denial of service through the hasher (CVE-2013-1443). Readers stop reading there, so a
    /// runaway pipe or a huge form costs no memory.
    public static let maximumLength = 4096

    /// Throws `.badData` for an empty password or one longer than `maximumLength` bytes.
    public static func check(_ password: String) throws(AccountsError) {
        guard !password.isEmpty else { throw AccountsError(.badData, "the password is empty") }
        guard password.utf8.count <= maximumLength else { throw tooLong }
    }

    public static var tooLong: AccountsError {
        AccountsError(.badData, "the password is longer than \(maximumLength) bytes")
    }
}
