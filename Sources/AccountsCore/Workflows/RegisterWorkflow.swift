/// `register`: validate, insert the inactive user, mail the activation link, record the mail.
public struct RegisterWorkflow {
    public struct Request: Sendable {
        public var userID: String
        public var email: String
        /// nil: an unusable password (the user sets one later, e.g. through the Django site).
        public var password: String?
        public var level: String?
        public var department: String?
        /// false: create the account and print the link, but send no mail.
        public var sendMail: Bool

        public init(userID: String, email: String, password: String?, level: String?, department: String?, sendMail: Bool) {
            self.userID = userID
            self.email = email
            self.password = password
            self.level = level
            self.department = department
            self.sendMail = sendMail
        }
    }

    public struct Outcome: Sendable {
        public var user: User
        public var link: IssuedLink
        /// Where the mail went, or nil when none was sent.
        public var deliveredTo: String?
    }

    let store: AccountStore
    let links: ActivationLinks
    let mail: ActivationMail?
    let hasher: PasswordHasher

    public init(store: AccountStore, links: ActivationLinks, mail: ActivationMail?, hasher: PasswordHasher = PasswordHasher()) {
        self.store = store
        self.links = links
        self.mail = mail
        self.hasher = hasher
    }

    public func register(_ request: Request, at instant: UTCDateTime = .now()) throws -> Outcome {
        let userID = try UserID.normalize(request.userID)
        let email = try EmailAddress.normalize(request.email)
        let level = try Self.field("level", request.level)
        let department = try Self.field("department", request.department)
        if let password = request.password { try NewPassword.check(password) }
        // Hash before touching the database: the slow part stays outside the write lock.
        let password = request.password.map { hasher.hash($0) } ?? PasswordHasher.unusable()
        let user = try store.insert(NewUser(userID: userID, email: email, password: password,
                                            level: level, department: department, dateJoined: instant))
        return try Self.mailNewAccount(user, links: links, mail: request.sendMail ? mail : nil, store: store,
                                       at: instant, whatHappened: "registered")
    }

    /// Queues and sends the first mail of an account just created (or restored); without `mail`,
    /// only makes the link. When the mail fails the account stays, and the error says so and
    /// what happens next.
    static func mailNewAccount(_ user: User, links: ActivationLinks, mail: ActivationMail?, store: AccountStore,
                               at instant: UTCDateTime, whatHappened: String) throws -> Outcome {
        let name = printable(user.userID)
        guard let mail else {
            return Outcome(user: user, link: try links.issue(for: user, at: instant), deliveredTo: nil)
        }
        let entry = try store.enqueueMail(.activation, for: user, at: instant)
        switch try MailDelivery(store: store, links: links, mail: mail).deliver(entry, to: user, at: instant) {
        case .sent(let outcome):
            return outcome
        case .failed(let failure):
            let next = failure.permanent ? "the server refused it for good" : "it stays in the outbox"
            throw AccountsError(failure.error.kind, "account '\(name)' was \(whatHappened) but the activation mail was not sent (\(failure.error.message)); \(next)",
                                hint: failure.permanent ? .checkAddressThenSendNewLink(userID: name) : .sendWaitingMail(userID: name))
        case .notTaken:
            throw AccountsError(.temporary, "account '\(name)' was \(whatHappened); another process is sending its activation mail", hint: .seeOutbox)
        }
    }

    /// Free-text columns: any text but control characters, at most 150 characters.
    static func field(_ name: String, _ value: String?) throws -> String? {
        guard let value else { return nil }
        let isASCII = value.utf8.allSatisfy { $0 < 0x80 }
        if isASCII ? value.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F })
                   : value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw AccountsError(.badData, "invalid \(name) '\(printable(value))': it contains control characters")
        }
        guard value.unicodeScalars.count <= 150 else {
            throw AccountsError(.badData, "invalid \(name) '\(printable(value))': longer than 150 characters")
        }
        return value.isEmpty ? nil : value
    }
}
