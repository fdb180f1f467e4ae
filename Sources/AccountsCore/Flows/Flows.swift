/// The flows `accounts` has. Adding a flow that mails: its folder under Flows/ and one line
/// here; the outbox, export and import, and the checks that every kind has its texts, follow.
public enum Flows {
    public static var mailing: [any MailFlow.Type] {
        [
            ActivationMailFlow.self,
        ]
    }

    /// Every kind of mail some flow sends.
    public static var mailKinds: [MailKind] { mailing.map { $0.kind } }

    /// One of each flow that mails, for a command that sends whatever is queued.
    public static func mailFlows(_ parts: FlowParts) throws -> [any MailFlow] {
        try mailing.map { try $0.init(parts) }
    }
}
