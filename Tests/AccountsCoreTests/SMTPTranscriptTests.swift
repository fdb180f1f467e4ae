@testable import AccountsCore
import XCTest

/// The reply parser and the conversation, against a scripted in-process server. These add edge
/// cases (split packets, odd replies) on top of the tests against a real server, not instead.
final class SMTPTranscriptTests: XCTestCase {
    /// Hands out pre-arranged server bytes one chunk per read and records what the client wrote.
    final class ScriptedStream: ByteStream {
        var chunks: [[UInt8]]
        var written = ""
        init(_ chunks: [String]) { self.chunks = chunks.map { Array($0.utf8) } }
        func read(maximum: Int, deadline: Deadline) throws(StreamFailure) -> [UInt8] {
            if chunks.isEmpty { throw .timedOut }
            return chunks.removeFirst()
        }
        func write(_ bytes: [UInt8], deadline: Deadline) throws(StreamFailure) {
            written += String(decoding: bytes, as: UTF8.self)
        }
        func close() {}
    }

    func connection(_ stream: ScriptedStream, security: SMTPConfiguration.Security = .none, user: String = "",
                    tlsWorks: Bool = false, transcript: ((String) -> Void)? = nil) -> SMTPConnection {
        SMTPConnection(configuration: SMTPConfiguration(host: "mx.test", port: 25, security: security, username: user,
                                                        password: user.isEmpty ? nil : "pw", timeout: 5, ehloName: "client.test"),
                       transcript: transcript, connector: { _ in stream }, upgrader: { plain, _ in
                           // Stands in for a TLS session: same bytes, but the client believes it is encrypted.
                           guard tlsWorks else { throw StreamFailure.tls("no TLS in this test") }
                           return plain
                       })
    }

    func testAfterSTARTTLSCapabilitiesAreForgottenAndLOGINIsUsedWhenPLAINIsMissing() throws {
        let stream = ScriptedStream([
            "220 x\r\n", "250-x\r\n250-AUTH PLAIN\r\n250 STARTTLS\r\n", "220 go\r\n",
            "250-x\r\n250 AUTH LOGIN\r\n", "334 VXNlcm5hbWU6\r\n", "334 UGFzc3dvcmQ6\r\n", "235 ok\r\n",
        ])
        var lines: [String] = []
        let smtp = connection(stream, security: .startTLS, user: "me@example.com", tlsWorks: true) { lines.append($0) }
        try smtp.open()
        XCTAssertEqual(smtp.capabilities, ["AUTH": "LOGIN"], "only what the server said after TLS")
        XCTAssertEqual(stream.written, "EHLO client.test\r\nSTARTTLS\r\nEHLO client.test\r\nAUTH LOGIN\r\nbWVAZXhhbXBsZS5jb20=\r\ncHc=\r\n")
        XCTAssertFalse(lines.joined().contains("cHc="), "the password is masked in the transcript")
        XCTAssertTrue(lines.contains("C: ********"))
    }

    func testBytesAfterThe220ToSTARTTLSAreAProtocolViolation() throws {
        let stream = ScriptedStream(["220 x\r\n", "250-x\r\n250 STARTTLS\r\n", "220 go\r\n250 injected\r\n"])
        XCTAssertThrowsError(try connection(stream, security: .startTLS, tlsWorks: true).open()) { error in
            let smtp = error as? SMTPError
            XCTAssertEqual(smtp?.stage, .startTLS)
            XCTAssertEqual(smtp?.kind, .unavailable)
        }
        XCTAssertEqual(stream.written, "EHLO client.test\r\nSTARTTLS\r\n", "nothing after STARTTLS: no handshake, no EHLO")
    }

    let message = MailMessage(from: "a@example.com", to: "b@example.com", subject: "s", textBody: ".starts with a dot\n..two\n",
                              htmlBody: "<p>x</p>")

    func testRepliesSplitAcrossPacketsAndMultiLineGreeting() throws {
        let stream = ScriptedStream([
            "220-mx.test ESMTP\r\n220-second greeting line\r", "\n220 ready\r\n",
            "250-mx.test hello\r\n250-SIZE 1000", "00\r\n250-PIPE", "LINING\r\n250 8BITMIME\r\n",
            "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250 queued\r\n",
        ])
        let smtp = connection(stream)
        try smtp.open()
        XCTAssertEqual(smtp.greeting?.lines, ["mx.test ESMTP", "second greeting line", "ready"])
        XCTAssertEqual(smtp.capabilities, ["SIZE": "100000", "PIPELINING": "", "8BITMIME": ""])
        let reply = try smtp.send(message, from: "a@example.com", to: "b@example.com")
        XCTAssertEqual(reply.code, 250)
        XCTAssertTrue(stream.written.hasPrefix("EHLO client.test\r\nMAIL FROM:<a@example.com> SIZE="), stream.written)
        XCTAssertTrue(stream.written.contains("\r\nRCPT TO:<b@example.com>\r\nDATA\r\n"))
        XCTAssertTrue(stream.written.hasSuffix("\r\n.\r\n"))
    }

    /// An envelope address holding CRLF (one Character), a lone CR, NUL or an angle bracket is
    /// refused before MAIL FROM: the line would smuggle a command or an ESMTP parameter
    /// (`"a> NOTIFY=SUCCESS"@example.com` passes the address syntax).
    func testEnvelopeAddressesWithLineBreaksOrAngleBracketsAreRefusedBeforeMAILFROM() throws {
        for (sender, recipient) in [("a@example.com", "b@example.com\r\nRSET"), ("a@example.com\r\nRSET", "b@example.com"),
                                    ("a@example.com", "b@exa\rmple.com"), ("a@example.com", "\"a> NOTIFY=SUCCESS\"@example.com"),
                                    ("<a@example.com", "b@example.com"), ("a@example.com", "b\0@example.com")] {
            let stream = ScriptedStream(["220 x\r\n", "250 x\r\n", "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250 queued\r\n"])
            let smtp = connection(stream)
            try smtp.open()
            XCTAssertThrowsError(try smtp.send(message, from: sender, to: recipient), recipient.debugDescription) { error in
                XCTAssertEqual((error as? SMTPError)?.stage, .mailFrom)
            }
            XCTAssertEqual(stream.written, "EHLO client.test\r\n", "nothing after EHLO for \(recipient.debugDescription)")
        }
    }

    /// With EMAIL_HOST_USER set and neither TLS setting, the refusal comes before any connection:
    /// the server (or whoever answers in its place) learns nothing, not even that we tried.
    func testAUserWithoutTLSIsRefusedBeforeAnyConnection() {
        var connections = 0
        let smtp = SMTPConnection(configuration: SMTPConfiguration(host: "mx.test", port: 25, security: .none, username: "me",
                                                                   password: "pw", timeout: 5, ehloName: "client.test"),
                                  transcript: nil, connector: { _ in
                                      connections += 1
                                      return ScriptedStream(["220 x\r\n", "250-x\r\n250 AUTH PLAIN\r\n", "235 ok\r\n"])
                                  }, upgrader: { plain, _ in plain })
        XCTAssertThrowsError(try smtp.open()) { error in
            XCTAssertEqual((error as? SMTPError)?.stage, .auth)
        }
        XCTAssertEqual(connections, 0, "no connection for a password that must not go in clear")
    }

    func testHELOOnlyAfter500Or502() throws {
        let stream = ScriptedStream(["220 old\r\n", "502 what?\r\n", "250 hi\r\n"])
        let smtp = connection(stream)
        try smtp.open()
        XCTAssertEqual(stream.written, "EHLO client.test\r\nHELO client.test\r\n")
        XCTAssertEqual(smtp.capabilities, [:])

        let refused = ScriptedStream(["220 x\r\n", "421 closing\r\n"])
        XCTAssertThrowsError(try connection(refused).open()) { error in
            XCTAssertEqual((error as? SMTPError)?.kind, .temporary)
        }
        XCTAssertEqual(refused.written, "EHLO client.test\r\n", "no HELO after a 421")
    }

    func testBadSequenceReplyStopsTheConversation() throws {
        let stream = ScriptedStream(["220 x\r\n", "250 x\r\n", "503 5.5.1 Error: need MAIL command\r\n"])
        let smtp = connection(stream)
        try smtp.open()
        XCTAssertThrowsError(try smtp.send(message, from: "a@example.com", to: "b@example.com")) { error in
            let smtpError = error as? SMTPError
            XCTAssertEqual(smtpError?.stage, .mailFrom)
            XCTAssertEqual(smtpError?.problem, .reply(SMTPReply(code: 503, lines: ["5.5.1 Error: need MAIL command"])))
            XCTAssertEqual(smtpError?.kind, .unavailable)
        }
        XCTAssertFalse(stream.written.contains("RCPT"), "nothing sent after the refusal")
    }

    func testSTARTTLSIsFailClosed() {
        let stream = ScriptedStream(["220 x\r\n", "250-x\r\n250 AUTH PLAIN\r\n"])
        XCTAssertThrowsError(try connection(stream, security: .startTLS, user: "u").open()) { error in
            XCTAssertEqual((error as? SMTPError)?.stage, .startTLS)
            XCTAssertEqual((error as? SMTPError)?.kind, .unavailable)
        }
        XCTAssertEqual(stream.written, "EHLO client.test\r\n", "no AUTH and no MAIL in clear text")

        let failing = ScriptedStream(["220 x\r\n", "250-x\r\n250 STARTTLS\r\n", "220 go ahead\r\n"])
        XCTAssertThrowsError(try connection(failing, security: .startTLS).open()) { error in
            XCTAssertEqual((error as? SMTPError)?.stage, .tls)
        }
        XCTAssertEqual(failing.written, "EHLO client.test\r\nSTARTTLS\r\n")
    }

    /// A finished DATA ends the transaction (RFC 5321 4.1.1.4), so the next MAIL follows it
    /// directly: an RSET between them would only cost a round trip per message.
    func testSeveralMessagesOnOneConnection() throws {
        let stream = ScriptedStream(["220 x\r\n", "250 x\r\n", "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250 one\r\n",
                                     "250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250 two\r\n"])
        let smtp = connection(stream)
        try smtp.open()
        XCTAssertEqual(try smtp.send(message, from: "a@example.com", to: "b@example.com").text, "one")
        XCTAssertEqual(try smtp.send(message, from: "a@example.com", to: "c@example.com").text, "two")
        XCTAssertFalse(stream.written.contains("RSET"))
        XCTAssertEqual(stream.written.components(separatedBy: "MAIL FROM:").count, 3)
    }

    /// With PIPELINING (RFC 2920) the envelope goes in one write; every reply is read, and the
    /// first refusal is the one reported.
    func testPipelinedEnvelope() throws {
        let stream = ScriptedStream(["220 x\r\n", "250-x\r\n250 PIPELINING\r\n", "250 ok\r\n250 ok\r\n354 go\r\n", "250 queued\r\n",
                                     "250 ok\r\n550 5.1.1 no such user\r\n554 5.5.1 no valid recipients\r\n"])
        let smtp = connection(stream)
        try smtp.open()
        XCTAssertEqual(try smtp.send(message, from: "a@example.com", to: "b@example.com").code, 250)
        XCTAssertTrue(stream.written.contains("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n"), stream.written)
        XCTAssertThrowsError(try smtp.send(message, from: "a@example.com", to: "nobody@example.com")) { error in
            let smtp = error as? SMTPError
            XCTAssertEqual(smtp?.stage, .rcptTo)
            XCTAssertEqual(smtp?.kind, .badData)
        }
    }

    func testSizeLimitIsRespected() throws {
        let stream = ScriptedStream(["220 x\r\n", "250-x\r\n250 SIZE 100\r\n"])
        let smtp = connection(stream)
        try smtp.open()
        XCTAssertThrowsError(try smtp.send(message, from: "a@example.com", to: "b@example.com")) { error in
            XCTAssertEqual((error as? SMTPError)?.kind, .unavailable)
            XCTAssertTrue("\(error)".contains("SIZE limit is 100"), "\(error)")
        }
        XCTAssertFalse(stream.written.contains("MAIL FROM"))
    }

    func testTimeoutNamesTheStage() throws {
        let stream = ScriptedStream(["220 x\r\n", "250 x\r\n", "250 ok\r\n", "250 ok\r\n", "354 go\r\n"])
        let smtp = connection(stream)
        try smtp.open()
        XCTAssertThrowsError(try smtp.send(message, from: "a@example.com", to: "b@example.com")) { error in
            XCTAssertEqual((error as? SMTPError)?.problem, .timedOut(seconds: 5))
            XCTAssertEqual((error as? SMTPError)?.stage, .message)
            XCTAssertEqual((error as? SMTPError)?.kind, .temporary)
        }
    }

    func testDotStuffing() {
        let data = String(decoding: SMTPConnection.dotStuffed(".a\r\nb\n..c\r\n.\r\n"), as: UTF8.self)
        XCTAssertEqual(data, "..a\r\nb\r\n...c\r\n..\r\n.\r\n")
    }

    func testReplyReaderRefusesGarbage() {
        for garbage in ["hello\r\n", "25\r\n", "250x\r\n", "600 no\r\n", "250-a\r\n251 b\r\n", String(repeating: "2", count: 5000)] {
            var reader = SMTPReplyReader()
            reader.append(Array(garbage.utf8))
            XCTAssertThrowsError(try reader.nextReply(), garbage.prefix(20).debugDescription) { error in
                XCTAssertNotEqual(error as? SMTPReplyReader.Failure, .needMoreData)
            }
        }
        var partial = SMTPReplyReader()
        partial.append(Array("250-one\r\n250 tw".utf8))
        XCTAssertThrowsError(try partial.nextReply()) { XCTAssertEqual($0 as? SMTPReplyReader.Failure, .needMoreData) }
        partial.append(Array("o\n".utf8))
        XCTAssertEqual(try partial.nextReply(), SMTPReply(code: 250, lines: ["one", "two"]))

        // A line of the full 4096 bytes whose CR arrives in one packet and LF in the next is fine
        // (Tests/fuzz/corpus/smtp-reply/crlf-split-at-4096: the whole input was read, split was not).
        let longest = "250 " + String(repeating: "a", count: SMTPReplyReader.maximumLineLength - 4)
        var split = SMTPReplyReader()
        split.append(Array((longest + "\r").utf8))
        XCTAssertThrowsError(try split.nextReply()) { XCTAssertEqual($0 as? SMTPReplyReader.Failure, .needMoreData) }
        split.append(Array("\n".utf8))
        XCTAssertEqual(try split.nextReply().code, 250)
    }

    func testErrorKindMapping() {
        func kind(_ stage: SMTPError.Stage, _ code: Int) -> AccountsError.Kind {
            SMTPError(stage: stage, problem: .reply(SMTPReply(code: code, lines: ["x"])), server: "s").kind
        }
        XCTAssertEqual(kind(.mailFrom, 451), .temporary)
        XCTAssertEqual(kind(.auth, 535), .configuration)
        XCTAssertEqual(kind(.rcptTo, 550), .badData)
        XCTAssertEqual(kind(.data, 554), .unavailable)
        XCTAssertEqual(SMTPError(stage: .tls, problem: .tlsFailed("x"), server: "s").kind, .unavailable)
    }
}
