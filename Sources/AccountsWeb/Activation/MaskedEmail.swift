/// An email address as a page may show it to whoever holds the link: `h***@example.com`, enough
/// for its owner to recognise, too little to harvest.
enum MaskedEmail {
    static func mask(_ email: String) -> String {
        guard let at = email.lastIndex(of: "@"), at != email.startIndex else { return "***" }
        return String(email[email.startIndex]) + "***" + email[at...]
    }
}
