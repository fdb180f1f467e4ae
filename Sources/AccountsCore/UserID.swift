/// Django's username rules: NFKC-normalised (as `AbstractBaseUser.normalize_username`), then
/// `^[\w.@+-]+\Z` with Unicode word characters, at most 150 characters.
public enum UserID {
    public static let maximumLength = 150

    public static func normalize(_ text: String) throws -> String {
        let normalized = text.precomposedStringWithCompatibilityMapping
        guard !normalized.isEmpty else { throw AccountsError(.badData, "invalid user_id: it is empty") }
        guard normalized.unicodeScalars.count <= maximumLength else {
            throw AccountsError(.badData, "invalid user_id '\(printable(text))': longer than \(maximumLength) characters")
        }
        if let bad = normalized.unicodeScalars.first(where: { !isAllowed($0) }) {
            throw AccountsError(.badData, "invalid user_id '\(printable(text))': '\(printable(String(bad)))' is not allowed (use letters, digits and . @ + - _)")
        }
        return normalized
    }

    /// Python's `\w` (alphanumerics and underscore, in any script) plus `.@+-`.
    private static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        if ".@+-_".unicodeScalars.contains(scalar) { return true }
        let properties = scalar.properties
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return true
        default:
            return properties.numericType != nil
        }
    }
}
