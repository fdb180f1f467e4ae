#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// An RFC 5322 message: multipart/alternative (text, then HTML), UTF-8, base64 bodies in
/// 76-character lines, an RFC 2047 encoded subject. No CR or LF from data ever reaches a header.
public struct MailMessage: Sendable {
    public var from: String
    public var to: String
    public var subject: String
    public var textBody: String
    public var htmlBody: String
    public var date: UTCDateTime
    public var messageID: String

    public init(from: String, to: String, subject: String, textBody: String, htmlBody: String,
                date: UTCDateTime = .now(), messageID: String? = nil) {
        self.from = from
        self.to = to
        self.subject = subject
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.date = date
        self.messageID = messageID ?? MailMessage.newMessageID(from: from, date: date)
    }

    /// The bare address of `from` (inside `<…>` if there is a display name), for the SMTP envelope.
    public var fromAddress: String { Self.split(mailbox: from).address }

    /// The whole message with CRLF line endings, ready for a file or an SMTP DATA command.
    public func rendered() throws(AccountsError) -> String {
        let fromParts = Self.split(mailbox: from)
        for (name, value) in [("From", from), ("To", to), ("Message-ID", messageID)] {
            try Self.requireSafeHeader(name, value)
        }
        let boundary = "=_accounts_" + OpenSSLCrypto.randomBytes(12).hexString
        var lines: [String] = []
        lines.append("From: " + Self.mailbox(display: fromParts.display, address: fromParts.address))
        lines.append("To: " + to)
        lines.append(Self.encodedHeader(name: "Subject", value: subject))
        lines.append("Date: " + Self.rfc5322Date(date))
        lines.append("Message-ID: " + messageID)
        lines.append("MIME-Version: 1.0")
        lines.append("Content-Type: multipart/alternative;")
        lines.append(" boundary=\"\(boundary)\"")
        lines.append("")
        lines.append("This is a multi-part message in MIME format.")
        for (type, body) in [("text/plain", textBody), ("text/html", htmlBody)] {
            lines.append("--" + boundary)
            lines.append("Content-Type: \(type); charset=utf-8")
            lines.append("Content-Transfer-Encoding: base64")
            lines.append("")
            lines.append(contentsOf: Self.base64Lines(Self.crlf(body)))
        }
        lines.append("--" + boundary + "--")
        lines.append("")
        return lines.joined(separator: "\r\n")
    }

    // MARK: - Headers

    static func requireSafeHeader(_ name: String, _ value: String) throws(AccountsError) {
        if value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
            throw AccountsError(.badData, "refusing to put a line break into the \(name) header of a mail")
        }
    }

    /// `Name: value`, as is when it is short printable ASCII, else as RFC 2047 UTF-8 encoded
    /// words of at most 75 characters, folded onto continuation lines. Whitespace runs
    /// (including any line break a template left) become one space.
    static func encodedHeader(name: String, value: String) -> String {
        let collapsed = value.split(whereSeparator: { $0.isWhitespace || $0.isNewline }).joined(separator: " ")
        let plain = collapsed.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7f }
        if plain && name.count + 2 + collapsed.count <= 78 && !collapsed.contains("=?") {
            return "\(name): \(collapsed)"
        }
        // 39 bytes of UTF-8 become 52 base64 characters; with "=?UTF-8?B?" and "?=" a word is 64,
        // so even the first line ("Subject: " + word) stays under the 78 characters RFC 5322 asks.
        var words: [String] = []
        var chunk = ""
        for character in collapsed {
            if chunk.utf8.count + String(character).utf8.count > 39 {
                words.append(chunk)
                chunk = ""
            }
            chunk.append(character)
        }
        if !chunk.isEmpty || words.isEmpty { words.append(chunk) }
        let encoded = words.map { "=?UTF-8?B?" + Data($0.utf8).base64EncodedString() + "?=" }
        return "\(name): " + encoded.joined(separator: "\r\n ")
    }

    /// `"Display" <address>`, the display name encoded when it is not plain ASCII.
    static func mailbox(display: String?, address: String) -> String {
        guard let display, !display.isEmpty else { return address }
        if display.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7f }) {
            let escaped = display.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\"\(escaped)\" <\(address)>"
        }
        let header = encodedHeader(name: "X", value: display)
        return String(header.dropFirst(3)) + " <\(address)>"
    }

    static func split(mailbox: String) -> (display: String?, address: String) {
        let trimmed = mailbox.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") else { return (nil, trimmed) }
        let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
        var display = trimmed[..<open].trimmingCharacters(in: .whitespaces)
        if display.count >= 2, display.hasPrefix("\""), display.hasSuffix("\"") {
            display = String(display.dropFirst().dropLast())
        }
        return (display.isEmpty ? nil : display, address)
    }

    static func rfc5322Date(_ instant: UTCDateTime) -> String {
        var time = time_t(instant.epochSeconds)
        var t = tm()
        gmtime_r(&time, &t)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(days[Int(t.tm_wday)]), \(t.tm_mday) \(months[Int(t.tm_mon)]) \(t.tm_year + 1900) \(two(t.tm_hour)):\(two(t.tm_min)):\(two(t.tm_sec)) +0000"
    }

    static func newMessageID(from: String, date: UTCDateTime) -> String {
        let address = split(mailbox: from).address
        var domain = address.split(separator: "@").last.map(String.init) ?? "localhost"
        if domain.isEmpty || domain == address || domain.containsAnyASCII("\r\n<>") {
            domain = "localhost"
        }
        return "<\(date.epochSeconds).\(OpenSSLCrypto.randomBytes(8).hexString)@\(domain)>"
    }

    // MARK: - Bodies

    /// Every line ending (CRLF, LF or a lone CR) as CRLF, so the base64 content is canonical
    /// text. On bytes: Foundation's replacingOccurrences was a fifth of a bulk run's CPU.
    static func crlf(_ text: String) -> String {
        String(decoding: crlfBytes(Array(text.utf8)), as: UTF8.self)
    }

    static func crlfBytes(_ bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count + bytes.count / 32)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") {
                result.append(UInt8(ascii: "\r"))
                result.append(UInt8(ascii: "\n"))
                if byte == UInt8(ascii: "\r"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") { index += 1 }
            } else {
                result.append(byte)
            }
            index += 1
        }
        return result
    }

    static func base64Lines(_ text: String) -> [String] {
        let encoded = Data(text.utf8).base64EncodedString()
        var lines: [String] = []
        var start = encoded.startIndex
        while start < encoded.endIndex {
            let end = encoded.index(start, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(String(encoded[start..<end]))
            start = end
        }
        return lines
    }
}
