import AccountsCore
import Foundation
import Mustache

/// Every page's Mustache template and stylesheet: built into the binary, each replaceable by a
/// file of the same name in `serve --templates DIR`. Variables are HTML-escaped.
struct PageTemplates: Sendable {
    static let templateFile = "page.html"
    static let styleFile = "style.css"

    private let template: MustacheTemplate
    /// The stylesheet's hash: it is inlined into every page where the template says `{{{style}}}`,
    /// and the Content-Security-Policy allows exactly that text, so no other style (and no
    /// script at all) runs.
    let styleHash: String

    init(directory: String?) throws {
        func source(_ file: String, builtIn: [UInt8]) throws -> String {
            guard let directory else { return String(decoding: builtIn, as: UTF8.self) }
            let path = (directory as NSString).appendingPathComponent(file)
            guard FileManager.default.fileExists(atPath: path) else { return String(decoding: builtIn, as: UTF8.self) }
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw AccountsError(.configuration, "template \(path) is unreadable or not UTF-8 text")
            }
            return text
        }
        let style = try source(Self.styleFile, builtIn: PackageResources.style_css)
        guard !style.contains("{{") else {
            throw AccountsError(.configuration, "\(Self.styleFile) holds '{{', which would open a Mustache tag in every page (CSS never needs it)")
        }
        // The stylesheet goes in as text once, not as a variable rendered at every request.
        let text = try source(Self.templateFile, builtIn: PackageResources.page_html).replacingOccurrences(of: "{{{style}}}", with: style)
        do {
            template = try MustacheTemplate(string: text)
        } catch {
            throw AccountsError(.configuration, "template \(Self.templateFile) does not parse: \(error)")
        }
        styleHash = "sha256-" + Data(OpenSSLCrypto.sha256(Array(style.utf8))).base64EncodedString()
    }

    func render(_ context: [String: Any]) -> String {
        template.render(context)
    }
}
