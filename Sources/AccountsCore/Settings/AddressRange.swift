import Foundation
import Glibc

/// An IPv4 or IPv6 address or network (`10.0.0.0/8`, `::1`): one entry of TRUSTED_PROXIES.
public struct AddressRange: Sendable, Equatable {
    /// 4 or 16 bytes, the host bits already cleared.
    let network: [UInt8]
    let prefixLength: Int

    /// Nil unless `text` is an address, optionally with a prefix length that fits it.
    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = Self.bytes(of: String(parts[0])) else { return nil }
        let bits = address.count * 8
        var length = bits
        if parts.count == 2 {
            guard let given = Int(parts[1]), (0...bits).contains(given), parts[1].allSatisfy(\.isASCII) else { return nil }
            length = given
        }
        network = Self.masked(address, to: length)
        prefixLength = length
    }

    /// Does `address` (as a peer's numeric address is written) fall in this range? An IPv4
    /// address written as IPv6 (`::ffff:127.0.0.1`, a dual-stack socket's way) counts as IPv4.
    public func contains(_ address: String) -> Bool {
        guard var bytes = Self.bytes(of: address) else { return false }
        if bytes.count == 16, network.count == 4, bytes[0..<12].elementsEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]) {
            bytes = Array(bytes[12...])
        }
        return bytes.count == network.count && Self.masked(bytes, to: prefixLength) == network
    }

    static func bytes(of text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    private static func masked(_ bytes: [UInt8], to length: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let keep = min(max(length - index * 8, 0), 8)
            return keep == 8 ? byte : byte & ~(0xff >> UInt8(keep))
        }
    }

    /// The address in a forwarded hop as proxies write it: `192.0.2.7`, `192.0.2.7:51234`,
    /// `2001:db8::1`, `[2001:db8::1]`, `[2001:db8::1]:443`; nil for anything else.
    public static func hostPart(ofHop hop: String) -> String? {
        var text = Substring(hop.trimmingCharacters(in: .whitespaces))
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let rest = text[text.index(after: close)...]
            guard rest.isEmpty || (rest.hasPrefix(":") && rest.dropFirst().allSatisfy(\.isNumber) && rest.count > 1) else { return nil }
            text = text[text.index(after: text.startIndex)..<close]
        } else if text.filter({ $0 == ":" }).count == 1 {
            let colon = text.firstIndex(of: ":")!
            guard text[text.index(after: colon)...].allSatisfy(\.isNumber), text.index(after: colon) < text.endIndex else { return nil }
            text = text[..<colon]
        }
        return bytes(of: String(text)) == nil ? nil : String(text)
    }

    /// Whose rate-limit bucket `address` falls in: an IPv4 address is its own (also written as
    /// IPv6, `::ffff:192.0.2.7`); an IPv6 address shares one with its /`ipv6Prefix` network, as
    /// one host or customer usually holds a whole /64 and could otherwise take a fresh address
    /// for every request. Anything that is not an address is its own bucket.
    public static func bucket(of address: String, ipv6Prefix: Int) -> String {
        guard var bytes = bytes(of: address) else { return address }
        if bytes.count == 16, bytes[0..<12].elementsEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]) { bytes = Array(bytes[12...]) }
        guard bytes.count == 16 else { return bytes.map(String.init).joined(separator: ".") }
        var network = in6_addr()
        withUnsafeMutableBytes(of: &network) { $0.copyBytes(from: masked(bytes, to: ipv6Prefix)) }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        inet_ntop(AF_INET6, &network, &text, socklen_t(text.count))
        return String(nulTerminated: text) + "/\(ipv6Prefix)"
    }
}
