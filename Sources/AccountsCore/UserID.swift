/// Django's username rules: NFKC-normalised (as `AbstractBaseUser.normalize_username`), then
/// `^[\w.@+-]+\Z` with Unicode word characters, at most 150 characters. One rule stricter than
/// Django: no mixing of Latin, Greek and Cyrillic letters, whose look-alikes (Latin "o", Cyrillic
/// "о") would let "hоng" pose as "hong" in a listing.
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
        if let mixed = lookAlikeScripts(in: normalized) {
            throw AccountsError(.badData, "invalid user_id '\(printable(text))': it mixes \(mixed.0) and \(mixed.1) letters, which look alike")
        }
        return normalized
    }

    /// The first two of Latin, Greek and Cyrillic found among the letters, when more than one is.
    static func lookAlikeScripts(in text: String) -> (String, String)? {
        var found: [String] = []
        for scalar in text.unicodeScalars where scalar.properties.isAlphabetic {
            let script: String
            switch scalar.value {
            case 0x41...0x5A, 0x61...0x7A, 0xC0...0x24F, 0x1E00...0x1EFF: script = "Latin"
            case 0x370...0x3FF, 0x1F00...0x1FFF: script = "Greek"
            case 0x400...0x52F: script = "Cyrillic"
            default: continue
            }
            if !found.contains(script) { found.append(script) }
            if found.count == 2 { return (found[0], found[1]) }
        }
        return nil
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
