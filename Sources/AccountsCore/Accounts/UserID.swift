/// Django's username rules: NFKC-normalised (as `AbstractBaseUser.normalize_username`), then
/// `^[\w.@+-]+\Z` with Unicode word characters, at most 150 characters. One rule stricter than
/// Django: no mixing of Latin, Greek and Cyrillic letters, whose look-alikes (Latin "o", Cyrillic
/// "о") would let "hоng" pose as "hong" in a listing.
public enum UserID {
    public static let maximumLength = 150

    public static func normalize(_ text: String) throws -> String {
        // ASCII is its own NFKC form and has one script: the common case needs no Unicode tables
        // (a bulk registration normalizes a million of these).
        if let ascii = try asciiFastPath(text) { return ascii }
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

    /// `text` when it is a valid ASCII user_id; nil when it is not ASCII (the general rules apply).
    private static func asciiFastPath(_ text: String) throws -> String? {
        let bytes = text.utf8
        guard !bytes.isEmpty, bytes.count <= maximumLength, bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        for byte in bytes where !isAllowedASCII(byte) {
            throw AccountsError(.badData, "invalid user_id '\(printable(text))': '\(printable(String(UnicodeScalar(byte))))' is not allowed (use letters, digits and . @ + - _)")
        }
        return text
    }

    private static func isAllowedASCII(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "."), UInt8(ascii: "@"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "_"): true
        default: false
        }
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
