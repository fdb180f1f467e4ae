/// Email syntax as Django's `EmailValidator` accepts it (dot-atom local part, or a quoted
/// string; a host name with a letter TLD, or an address literal), plus `normalize_email`:
/// the domain is lower-cased, the local part kept as written.
public enum EmailAddress {
    public static func normalize(_ text: String) throws -> String {
        func invalid(_ why: String) -> AccountsError {
            AccountsError(.badData, "invalid email '\(printable(text))': \(why)")
        }
        // (ASCII first: its control characters need no Unicode table.)
        let isASCII = text.utf8.allSatisfy { $0 < 0x80 }
        if isASCII ? text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F })
                   : text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw invalid("it contains control characters (such as a line break)")
        }
        guard text.utf8.count <= 254 else { throw invalid("longer than 254 bytes") }
        guard let at = text.lastIndex(of: "@") else { throw invalid("no '@'") }
        let local = text[..<at]
        let domain = text[text.index(after: at)...].lowercased()
        guard !local.isEmpty else { throw invalid("nothing before '@'") }
        guard !domain.isEmpty else { throw invalid("nothing after '@'") }
        guard local.utf8.count <= 64 else { throw invalid("the part before '@' is longer than 64 bytes") }
        guard isDotAtom(local) || isQuotedString(local) else { throw invalid("the part before '@' has characters an address cannot have") }
        guard isHostName(domain) || isAddressLiteral(domain) else {
            if domain.unicodeScalars.contains(where: { !$0.isASCII }) {
                throw invalid("write an international domain in its xn-- (punycode) form")
            }
            throw invalid("'\(domain)' is not a valid domain")
        }
        return local + "@" + domain
    }

    /// The one reading of "the same address", by which an email is unique: equal but for ASCII
    /// letters' case, as SQLite's NOCASE compares. Every address `normalize` accepts is ASCII,
    /// where PostgreSQL's unique index on upper(email) agrees; so do the Swift checks, which
    /// use this rather than `lowercased()` (Unicode's, which folds more than either store).
    public static func key(_ email: String) -> String {
        String(decoding: email.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
    }

    public static func same(_ one: String, _ other: String) -> Bool {
        one.utf8.count == other.utf8.count && key(one) == key(other)
    }

    private static let atomCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-".unicodeScalars)

    private static func isDotAtom(_ text: Substring) -> Bool {
        let atoms = text.split(separator: ".", omittingEmptySubsequences: false)
        return atoms.allSatisfy { !$0.isEmpty && $0.unicodeScalars.allSatisfy(atomCharacters.contains) }
    }

    /// `"..."` with printable ASCII inside, backslash escaping any of it.
    private static func isQuotedString(_ text: Substring) -> Bool {
        let scalars = Array(text.unicodeScalars)
        guard scalars.count >= 2, scalars.first == "\"", scalars.last == "\"" else { return false }
        var index = 1
        while index < scalars.count - 1 {
            let scalar = scalars[index]
            guard scalar.isASCII, scalar.value >= 0x20, scalar.value < 0x7f else { return false }
            if scalar == "\\" {
                index += 1
                guard index < scalars.count - 1 else { return false }
            } else if scalar == "\"" {
                return false
            }
            index += 1
        }
        return true
    }

    private static func isHostName(_ domain: String) -> Bool {
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, domain.utf8.count <= 253 else { return false }
        for label in labels {
            let bytes = Array(label.utf8)
            guard (1...63).contains(bytes.count), bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-"),
                  bytes.allSatisfy({ isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }) else { return false }
        }
        // The top-level domain: letters, at least two, or an IDN in punycode.
        let tld = Array(labels.last!.utf8)
        let lettersOnly = tld.count >= 2 && tld.allSatisfy { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }
        let punycode = tld.count >= 5 && labels.last!.hasPrefix("xn--")
        return lettersOnly || punycode
    }

    private static func isAddressLiteral(_ domain: String) -> Bool {
        guard domain.hasPrefix("["), domain.hasSuffix("]") else { return false }
        let inner = domain.dropFirst().dropLast()
        let octets = inner.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { octet in
            octet.count <= 3 && !octet.isEmpty && octet.allSatisfy(\.isASCII) && Int(octet).map { (0...255).contains($0) } == true
        }
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }
}
