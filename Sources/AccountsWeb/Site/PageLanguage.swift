import Foundation

/// Which of the pages' languages a browser asked for (RFC 9110 Accept-Language: tags with
/// optional q-values), else LANGUAGE_CODE.
enum PageLanguage {
    static func negotiate(_ acceptLanguage: String?, available: [String], default fallback: String) -> String {
        guard let acceptLanguage else { return fallback }
        var ranked: [(language: String, quality: Double, order: Int)] = []
        for (order, item) in acceptLanguage.split(separator: ",").prefix(32).enumerated() {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = parts.first?.lowercased(), !tag.isEmpty else { continue }
            var quality = 1.0
            for parameter in parts.dropFirst() where parameter.hasPrefix("q=") {
                quality = Double(parameter.dropFirst(2)) ?? 0
            }
            guard quality > 0 else { continue }
            let language = tag == "*" ? fallback : String(tag.prefix { $0 != "-" && $0 != "_" })
            ranked.append((language, quality, order))
        }
        ranked.sort { ($0.quality, -$0.order) > ($1.quality, -$1.order) }
        return ranked.first { available.contains($0.language) }?.language ?? fallback
    }
}
