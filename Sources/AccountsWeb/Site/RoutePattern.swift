import Hummingbird

/// The router path of a `SiteRoute`. Hummingbird's trie reads `:name`, `{name}` and `*` in a path
/// component as captures and wildcards, and matches whole components only; a template's path
/// is literal and may end mid-component (`/activate-{uid}-{token}`). So the pattern keeps the
/// path's components while they are plain and ends in `**` where it cannot say more: the route
/// itself then checks the whole path (`LinkTemplate`), as it must anyway.
enum RoutePattern {
    static func of(_ path: String, reach: SiteRoute.Reach) -> String {
        var components = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        var open = false
        if reach == .below {
            // What follows the last "/" is part of the link's first component, not a directory.
            components = Array(components.dropLast())
            open = true
        } else if components.last == "" {
            // The trie reads /users/activate/ as /users/activate; the route checks the slash.
            components.removeLast()
        }
        let plain = components.prefix { !$0.isEmpty && !$0.contains { ":*{}".contains($0) } }
        if plain.count < components.count { open = true }
        return "/" + (plain + (open ? ["**"] : [])).joined(separator: "/")
    }
}
