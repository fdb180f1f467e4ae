/// The users model of docs/django.md, as a table Django's `migrate` made (`managed = True`) must
/// have it for accounts to adopt it: each column accounts reads and writes, and the Django field
/// that makes it. Each store checks the types its database gives them (SQLiteDjangoTable,
/// DjangoTable), and refuses by name, before changing anything.
enum DjangoUsersModel {
    static let fields: [(column: String, django: String)] = [
        ("id", "BigAutoField (the default primary key)"),
        ("user_id", "CharField(max_length=150, unique=True)"),
        ("email", "EmailField()"),
        ("password", "AbstractBaseUser's password"),
        ("is_active", "BooleanField(default=False)"),
        ("level", "TextField(null=True)"),
        ("department", "TextField(null=True)"),
        ("date_joined", "DateTimeField()"),
        ("last_login", "AbstractBaseUser's last_login"),
        ("activation_sent_at", "DateTimeField(null=True)"),
        ("activated_at", "DateTimeField(null=True)"),
    ]

    static func missing(_ column: String, django: String) -> AccountsError {
        AccountsError(.configuration, "the users table (made by another program) has no \(column) column; add it (in Django: \(column) = models.\(django)) and migrate; accounts never alters a table it did not make")
    }

    static func notWritten(_ column: String) -> AccountsError {
        AccountsError(.configuration, "users.\(column) is NOT NULL without a default, and accounts does not write it: give it a default or make it nullable")
    }
}
