import CLibPQ
import Foundation

/// A database password never crosses a network unverified. libpq's default, sslmode=prefer, lets
/// a machine in the middle answer "no TLS" (or present any certificate) and ask for the password
/// in clear. So a connection to another machine (not a Unix socket, not loopback) that nobody
/// asked for by its sslmode is made with sslmode=verify-full; one whose URI (or PGSSLMODE, or the
/// service file) asks for less on purpose goes as asked, with a warning, as cleartext SMTP does.
enum PGTransportSecurity {
    /// The parameters to connect with: `parameters`, with sslmode=verify-full added when needed
    /// (`forced`: then a TLS failure is ours to explain).
    static func secured(_ parameters: [(String, String)], saysSSLMode: Bool, describedAs target: String) -> (parameters: [(String, String)], forced: Bool) {
        let effective = effectiveOptions(parameters)
        guard !allLocal(host: effective["host"] ?? "", hostaddr: effective["hostaddr"] ?? "") else { return (parameters, false) }
        let mode = effective["sslmode"] ?? "prefer"
        if mode == "verify-full" || mode == "verify-ca" { return (parameters, false) }
        let environment = ProcessInfo.processInfo.environment
        let asked = saysSSLMode || environment["PGSSLMODE"] != nil || environment["PGREQUIRESSL"] != nil || mode != "prefer"
        guard asked else { return (parameters + [("sslmode", "verify-full")], true) }
        Warnings.once("database \(target): sslmode=\(mode) on a connection to another machine does not check the server's certificate, so a machine in the middle can read the database password and the data; use sslmode=verify-full")
        return (parameters, false)
    }

    /// What libpq will use, after the URI, the PG* variables, the service file and its defaults:
    /// read off a connection that is only started (libpq sends no password before it is polled).
    static func effectiveOptions(_ parameters: [(String, String)]) -> [String: String] {
        let keywords = parameters.map { strdup($0.0) } + [nil]
        let values = parameters.map { strdup($0.1) } + [nil]
        defer { (keywords + values).forEach { free($0) } }
        let started: OpaquePointer? = keywords.map { UnsafePointer($0) }.withUnsafeBufferPointer { keys in
            values.map { UnsafePointer($0) }.withUnsafeBufferPointer { values in
                PQconnectStartParams(keys.baseAddress, values.baseAddress, 1)
            }
        }
        guard let started else { return [:] }
        defer { PQfinish(started) }
        var options: [String: String] = [:]
        guard let info = PQconninfo(started) else { return options }
        defer { PQconninfoFree(info) }
        var option = info
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val { options[String(cString: keyword)] = String(cString: value) }
            option += 1
        }
        return options
    }

    /// Every host of the list is this machine: a socket directory (or an abstract socket), the
    /// default socket (no host), localhost, or a loopback address; `hostaddr`, where given, is
    /// what libpq connects to.
    static func allLocal(host: String, hostaddr: String) -> Bool {
        let hosts = host.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let addresses = hostaddr.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return (0..<max(hosts.count, addresses.count, 1)).allSatisfy { index in
            let address = index < addresses.count ? addresses[index].trimmingCharacters(in: .whitespaces) : ""
            let name = index < hosts.count ? hosts[index].trimmingCharacters(in: .whitespaces) : ""
            return isLocal(address.isEmpty ? name : address)
        }
    }

    static func isLocal(_ host: String) -> Bool {
        if host.isEmpty || host.hasPrefix("/") || host.hasPrefix("@") || host.lowercased() == "localhost" { return true }
        if host == "::1" || host == "[::1]" { return true }
        let octets = host.split(separator: ".")
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
