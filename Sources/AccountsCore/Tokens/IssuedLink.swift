import Foundation

/// A freshly made link (its uid and token, and the URL that carries them) and when it stops working.
public struct IssuedLink: Sendable {
    public var link: ActivationLink
    public var url: String
    public var expiresAt: UTCDateTime
}
