/// ACTIVATION_COOLDOWN: how long an address waits between two mails. The one reading of
/// "within the cooldown" (the store compares a mail's time against `notBefore`) and of how long
/// is left, for send-activation, update and serve's link requests alike.
struct MailCooldown {
    let seconds: Int64

    /// A mail sent at or after this instant is within the cooldown.
    func notBefore(_ instant: UTCDateTime) -> UTCDateTime {
        instant.adding(seconds: -seconds)
    }

    /// Whole seconds until a mail to an account last mailed at `sent` may go (at least 1: it
    /// was refused as within the cooldown, so some wait is left).
    func wait(since sent: UTCDateTime?, at instant: UTCDateTime) -> Int64 {
        max(1, (sent ?? instant).epochSeconds + seconds - instant.epochSeconds)
    }
}
