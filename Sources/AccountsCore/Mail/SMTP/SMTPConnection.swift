import Foundation

/// One SMTP conversation (RFC 5321): greeting, EHLO (HELO only after 500/502), STARTTLS when
/// required and never skipped, EHLO again, AUTH PLAIN or LOGIN over TLS only, then any number
/// of messages (each finished DATA ends its transaction; a failed one closes the connection),
/// then QUIT. The whole of `open()`, and of each `send`, must
/// finish within the configured timeout.
public final class SMTPConnection {
    public let configuration: SMTPConfiguration
    /// EHLO keywords (upper-cased) and their parameters, from the latest EHLO.
    public private(set) var capabilities: [String: String] = [:]
    public private(set) var greeting: SMTPReply?
    /// What TLS negotiated, once encrypted.
    public private(set) var tlsDescription: String?

    /// Sees every line of the conversation, credentials masked: for `check-smtp`.
    private let transcript: ((String) -> Void)?
    private let connector: (Deadline) throws -> ByteStream
    private let upgrader: (ByteStream, Deadline) throws -> ByteStream
    private var stream: ByteStream?
    private var reader = SMTPReplyReader()
    private var deadline = Deadline.after(seconds: 0)
    /// Between the 220 to STARTTLS (or the start of implicit TLS) and a finished handshake, and
    /// after a failed one: nothing, not even QUIT, may be sent in clear.
    private var mustNotSpeakInClear = false
    /// The name we give in EHLO: EMAIL_EHLO_NAME, the machine's FQDN, or our address as a literal.
    public private(set) var ehloName = "localhost"

    public var isEncrypted: Bool { tlsDescription != nil }

    public convenience init(configuration: SMTPConfiguration, transcript: ((String) -> Void)? = nil) {
        self.init(configuration: configuration, transcript: transcript, connector: { deadline in
            try TCPStream.connect(host: configuration.host, port: configuration.port, deadline: deadline)
        }, upgrader: { stream, deadline in
            guard let tcp = stream as? TCPStream else { throw StreamFailure.tls("TLS needs a TCP connection") }
            return try TLSStream(over: tcp, host: configuration.host, certificates: configuration.caCertificates, deadline: deadline)
        })
    }

    /// With a stream of the caller's making, for tests of the conversation itself.
    init(configuration: SMTPConfiguration, transcript: ((String) -> Void)?,
         connector: @escaping (Deadline) throws -> ByteStream, upgrader: @escaping (ByteStream, Deadline) throws -> ByteStream) {
        self.configuration = configuration
        self.transcript = transcript
        self.connector = connector
        self.upgrader = upgrader
    }

    deinit { stream?.close() }

    /// Connects and gets ready to send: TLS and AUTH as configured.
    public func open() throws {
        deadline = .after(seconds: Double(configuration.timeout))
        if !configuration.username.isEmpty && configuration.security == .none {
            throw error(.auth, .refused("refusing to send the SMTP password without TLS: set EMAIL_USE_TLS (STARTTLS, port 587) or EMAIL_USE_SSL (port 465)"))
        }
        if !configuration.username.isEmpty && (configuration.password ?? "").isEmpty {
            throw error(.auth, .refused("EMAIL_HOST_USER is set but the secrets file has no EMAIL_HOST_PASSWORD"))
        }
        if configuration.security == .none && !configuration.isLoopback {
            Warnings.once("EMAIL_HOST \(configuration.host) is not this machine, and neither EMAIL_USE_TLS nor EMAIL_USE_SSL is set: activation links cross the network in clear, for anyone on the path to use first")
        }
        note("connecting to \(configuration.server)")
        stream = try perform(.connect) { try connector(deadline) }
        ehloName = configuration.ehloName ?? (stream as? TCPStream)?.localAddressLiteral ?? "[127.0.0.1]"
        if configuration.security == .implicitTLS {
            try startTLS()
        }
        do {
            greeting = try expect(.greeting, 220)
        } catch let failure as SMTPError where failure.problem == .timedOut(seconds: configuration.timeout) && configuration.port == 465 {
            // An implicit-TLS port waits for our TLS hello while we wait for its greeting.
            throw error(.greeting, .misconfigured("port 465 expects EMAIL_USE_SSL (TLS from the first byte), and EMAIL_USE_TLS is for STARTTLS on port 587; no greeting came within \(configuration.timeout) s"))
        }
        try hello()
        if configuration.security == .startTLS {
            guard capabilities["STARTTLS"] != nil else {
                throw error(.startTLS, .insecure("the server does not offer STARTTLS, and EMAIL_USE_TLS requires it; nothing was sent"))
            }
            try command("STARTTLS", stage: .startTLS, expecting: 220)
            mustNotSpeakInClear = true
            // RFC 3207 4.2 (CVE-2011-0411's client side): nothing may follow the 220 in clear. Bytes
            // already here were not sent over TLS, yet would be read as if they were.
            guard !reader.hasBufferedBytes else {
                throw error(.startTLS, .protocolViolation("it sent more after its 220 to STARTTLS, before the TLS handshake (someone on the path may be injecting replies); nothing was sent"))
            }
            try startTLS()
            // RFC 3207: forget everything learnt before TLS and ask again.
            capabilities = [:]
            try hello()
        }
        if !configuration.username.isEmpty {
            try authenticate()
        }
    }

    /// Sends one message to `recipient`. Call `open()` first.
    @discardableResult
    public func send(_ message: MailMessage, from sender: String, to recipient: String) throws -> SMTPReply {
        deadline = .after(seconds: Double(configuration.timeout))
        let data: [UInt8]
        do {
            data = Self.dotStuffed(try message.rendered())
        } catch {
            throw SMTPError(stage: .message, problem: .refused("\(error)"), server: configuration.server)
        }
        for address in [sender, recipient] where address.containsAnyASCII("\r\n\0<>") {
            throw error(.mailFrom, .refused("refusing an envelope address with a line break or angle bracket"))
        }
        var mailFrom = "MAIL FROM:<\(sender)>"
        if let sizeText = capabilities["SIZE"] {
            if let limit = Int(sizeText), limit > 0, data.count > limit {
                throw error(.mailFrom, .reply(SMTPReply(code: 552, lines: ["the message is \(data.count) bytes; the server's SIZE limit is \(limit)"])))
            }
            mailFrom += " SIZE=\(data.count)"
        }
        let envelope: [(line: String, stage: SMTPError.Stage, codes: [Int])] = [
            (mailFrom, .mailFrom, [250]), ("RCPT TO:<\(recipient)>", .rcptTo, [250, 251]), ("DATA", .data, [354]),
        ]
        if capabilities["PIPELINING"] != nil {
            // RFC 2920: the envelope in one write and its three replies read after, one round
            // trip instead of three. Every reply is read before the first refusal is reported.
            for item in envelope { note("C: " + item.line) }
            try perform(.mailFrom) { try stream!.write(Array(envelope.map { $0.line + "\r\n" }.joined().utf8), deadline: deadline) }
            var refusal: SMTPError?
            for (_, stage, codes) in envelope {
                let reply = try readReply(stage)
                if refusal == nil && !codes.contains(reply.code) { refusal = error(stage, .reply(reply)) }
            }
            if let refusal { throw refusal }
        } else {
            for (line, stage, codes) in envelope { try command(line, stage: stage, expecting: codes) }
        }
        note("C: <\(data.count) bytes of message>")
        try perform(.message) { try stream!.write(data, deadline: deadline) }
        return try expect(.message, 250)
    }

    /// QUIT, politely but without waiting long; then close. Also after a failure (a refused
    /// AUTH, say), so that the server sees a goodbye rather than a lost connection; but never in
    /// clear on a connection whose TLS handshake was due and did not finish.
    public func close() {
        guard let stream else { return }
        if !mustNotSpeakInClear {
            deadline = .after(seconds: min(5, Double(configuration.timeout)))
            _ = try? command("QUIT", stage: .quit, expecting: 221)
        }
        stream.close()
        self.stream = nil
    }

    // MARK: - Steps

    private func hello() throws {
        let name = ehloName
        try write("EHLO \(name)", stage: .ehlo)
        let reply = try readReply(.ehlo)
        if reply.code == 250 {
            capabilities = [:]
            for line in reply.lines.dropFirst() {
                let parts = line.split(separator: " ", maxSplits: 1)
                guard let keyword = parts.first else { continue }
                capabilities[keyword.uppercased()] = parts.count > 1 ? String(parts[1]) : ""
            }
            return
        }
        guard reply.code == 500 || reply.code == 502 else { throw error(.ehlo, .reply(reply)) }
        // An old server without ESMTP: no extensions at all.
        capabilities = [:]
        try command("HELO \(name)", stage: .ehlo, expecting: 250)
    }

    private func startTLS() throws {
        guard let plain = stream else { return }
        mustNotSpeakInClear = true
        do {
            stream = try perform(.tls) { try upgrader(plain, deadline) }
        } catch let failure as SMTPError {
            // OpenSSL read "220 …" as a TLS record: this port speaks plain SMTP first.
            if configuration.security == .implicitTLS, case .tlsFailed(let detail) = failure.problem, detail.contains("wrong version number") {
                throw error(.tls, .misconfigured("port \(configuration.port) speaks plain SMTP first, not TLS: port 587 expects EMAIL_USE_TLS (STARTTLS), and EMAIL_USE_SSL is for port 465"))
            }
            throw failure
        }
        mustNotSpeakInClear = false
        // Only what arrives over TLS counts from here on.
        reader = SMTPReplyReader()
        tlsDescription = (stream as? TLSStream)?.negotiated ?? "TLS"
        note("TLS established with \(configuration.host): \(tlsDescription!)")
    }

    private func authenticate() throws {
        guard isEncrypted else {
            throw error(.auth, .refused("refusing to send the SMTP password without TLS"))
        }
        let mechanisms = Set((capabilities["AUTH"] ?? "").uppercased().split(separator: " ").map(String.init))
        let user = configuration.username, password = configuration.password ?? ""
        if mechanisms.contains("PLAIN") {
            let credentials = Data(("\0" + user + "\0" + password).utf8).base64EncodedString()
            try command("AUTH PLAIN \(credentials)", stage: .auth, expecting: 235, masked: "AUTH PLAIN ********")
        } else if mechanisms.contains("LOGIN") {
            try command("AUTH LOGIN", stage: .auth, expecting: 334)
            try command(Data(user.utf8).base64EncodedString(), stage: .auth, expecting: 334, masked: "<user name>")
            try command(Data(password.utf8).base64EncodedString(), stage: .auth, expecting: 235, masked: "********")
        } else {
            throw error(.auth, .protocolViolation("the server offers no AUTH PLAIN or LOGIN (it offers: \(mechanisms.sorted().joined(separator: " ")))"))
        }
        note("authenticated as \(user)")
    }

    // MARK: - Plumbing

    @discardableResult
    private func command(_ line: String, stage: SMTPError.Stage, expecting codes: Int..., masked: String? = nil) throws -> SMTPReply {
        try command(line, stage: stage, expecting: codes, masked: masked)
    }

    @discardableResult
    private func command(_ line: String, stage: SMTPError.Stage, expecting codes: [Int], masked: String? = nil) throws -> SMTPReply {
        try write(line, stage: stage, masked: masked)
        let reply = try readReply(stage)
        guard codes.contains(reply.code) else { throw error(stage, .reply(reply)) }
        return reply
    }

    private func expect(_ stage: SMTPError.Stage, _ code: Int) throws -> SMTPReply {
        let reply = try readReply(stage)
        guard reply.code == code else { throw error(stage, .reply(reply)) }
        return reply
    }

    private func write(_ line: String, stage: SMTPError.Stage, masked: String? = nil) throws {
        precondition(!line.containsLineBreak, "SMTP command with a line break")
        note("C: " + (masked ?? line))
        try perform(stage) { try stream!.write(Array((line + "\r\n").utf8), deadline: deadline) }
    }

    private func readReply(_ stage: SMTPError.Stage) throws -> SMTPReply {
        while true {
            do {
                let reply = try reader.nextReply()
                for (index, text) in reply.lines.enumerated() {
                    note("S: \(reply.code)\(index == reply.lines.count - 1 ? " " : "-")\(text)")
                }
                return reply
            } catch .needMoreData {
                let bytes = try perform(stage) { try stream!.read(maximum: 4096, deadline: deadline) }
                if bytes.isEmpty { throw error(stage, .connectionFailed("the server closed the connection")) }
                reader.append(bytes)
            } catch .malformed(let detail) {
                throw error(stage, .protocolViolation(detail))
            }
        }
    }

    /// Runs a stream operation, turning its failure into an SMTPError for `stage`.
    private func perform<T>(_ stage: SMTPError.Stage, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let failure as StreamFailure {
            switch failure {
            case .timedOut: throw error(stage, .timedOut(seconds: configuration.timeout))
            case .closed: throw error(stage, .connectionFailed("the server closed the connection"))
            case .io(let detail): throw error(stage, .connectionFailed(detail))
            case .tls(let detail): throw error(.tls, .tlsFailed(detail))
            }
        }
    }

    private func error(_ stage: SMTPError.Stage, _ problem: SMTPError.Problem) -> SMTPError {
        SMTPError(stage: stage, problem: problem, server: configuration.server)
    }

    private func note(_ line: String) {
        transcript?(line)
    }

    /// CRLF line endings throughout, a leading "." doubled on every line (RFC 5321 4.5.2), and
    /// the terminating "." line.
    static func dotStuffed(_ message: String) -> [UInt8] {
        let lines = MailMessage.crlfBytes(Array(message.utf8))
        var result: [UInt8] = []
        result.reserveCapacity(lines.count + 16)
        var atLineStart = true
        for byte in lines {
            if atLineStart && byte == UInt8(ascii: ".") { result.append(UInt8(ascii: ".")) }
            result.append(byte)
            atLineStart = byte == UInt8(ascii: "\n")
        }
        if !atLineStart && !result.isEmpty { result += Array("\r\n".utf8) }
        result += Array(".\r\n".utf8)
        return result
    }
}
