import AccountsCLI
import AccountsCore

/// Users as `list` prints them. Never the password column.
struct UserRowWriter {
    private static let columns: [RowWriter.Column] = [
        .init("id", table: "ID", width: 6),
        .init("user_id", table: "USER_ID", width: 20),
        .init("email", table: "EMAIL", width: 30),
        .init("state", table: "STATE", width: 8),
        .init("is_active"),
        .init("level", table: "LEVEL", width: 5),
        .init("department", table: "DEPARTMENT", width: 16),
        .init("date_joined", table: "JOINED (UTC)", width: 16),
        .init("last_login"),
        .init("activation_sent_at", table: "LAST MAIL (UTC)", width: 16),
        .init("activated_at"),
    ]

    private var writer: RowWriter

    init(format: ListFormat, output: Output) {
        writer = RowWriter(format: format, output: output, columns: Self.columns)
    }

    mutating func begin() { writer.begin() }

    mutating func row(_ user: User, state: AccountState) {
        writer.row([
            .int(user.id), .text(user.userID), .text(user.email), .text(state.rawValue), .bool(user.isActive),
            .text(user.level), .text(user.department), .date(user.dateJoined), .date(user.lastLogin),
            .date(user.activationSentAt), .date(user.activatedAt),
        ])
    }

    mutating func end() { writer.end() }
}
