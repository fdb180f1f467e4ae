/// Reads replies from a stream: buffers bytes, splits CRLF lines, and joins `250-…` lines up
/// to the final `250 …` line. Tolerates bare LF; refuses malformed lines and endless lines.
struct SMTPReplyReader {
    static let maximumLineLength = 4096
    static let maximumLines = 100

    enum Failure: Error, Equatable {
        case malformed(String)
        case needMoreData
    }

    private var buffer: [UInt8] = []

    /// Bytes received and not yet read as part of a reply.
    var hasBufferedBytes: Bool { !buffer.isEmpty }

    mutating func append(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
    }

    /// The next complete reply in the buffer; `.needMoreData` when it has not all arrived.
    mutating func nextReply() throws(Failure) -> SMTPReply {
        var offset = 0
        var lines: [String] = []
        var code: Int?
        while true {
            guard let newline = buffer[offset...].firstIndex(of: UInt8(ascii: "\n")) else {
                // + 1: the line's CR may have arrived without its LF; a full-length line is still fine.
                if buffer.count - offset > Self.maximumLineLength + 1 {
                    throw .malformed("reply line longer than \(Self.maximumLineLength) bytes")
                }
                throw .needMoreData
            }
            var line = Array(buffer[offset..<newline])
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            offset = newline + 1
            guard line.count <= Self.maximumLineLength else { throw .malformed("reply line longer than \(Self.maximumLineLength) bytes") }
            guard line.count >= 3, line[0..<3].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                  line[0] >= UInt8(ascii: "2"), line[0] <= UInt8(ascii: "5") else {
                throw .malformed("not an SMTP reply: '\(printable(String(decoding: line, as: UTF8.self), limit: 60))'")
            }
            let lineCode = Int(String(decoding: line[0..<3], as: UTF8.self))!
            if let code, code != lineCode { throw .malformed("reply code changed from \(code) to \(lineCode) within one reply") }
            code = lineCode
            let separator = line.count > 3 ? line[3] : UInt8(ascii: " ")
            guard separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else {
                throw .malformed("not an SMTP reply: '\(printable(String(decoding: line, as: UTF8.self), limit: 60))'")
            }
            lines.append(String(decoding: line.dropFirst(4), as: UTF8.self))
            guard lines.count <= Self.maximumLines else { throw .malformed("reply longer than \(Self.maximumLines) lines") }
            if separator == UInt8(ascii: " ") {
                buffer.removeFirst(offset)
                return SMTPReply(code: lineCode, lines: lines)
            }
        }
    }
}
