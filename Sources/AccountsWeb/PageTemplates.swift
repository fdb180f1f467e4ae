import AccountsCore
import Foundation
import Mustache

/// The pages' Mustache templates and stylesheet: built into the binary, each replaceable by a
/// file of the same name in `serve --templates DIR`. Variables are HTML-escaped.
struct PageTemplates: Sendable {
    enum Name: String, CaseIterable, Sendable {
        case confirm = "confirm.html"
        case result = "result.html"
    }

    static let styleFile = "style.css"

    private let templates: [Name: MustacheTemplate]
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
        var templates: [Name: MustacheTemplate] = [:]
        for name in Name.allCases {
            // The stylesheet goes in as text once, not as a variable rendered at every request.
            let text = try source(name.rawValue, builtIn: name == .confirm ? PackageResources.confirm_html : PackageResources.result_html)
                .replacingOccurrences(of: "{{{style}}}", with: style)
            do {
                templates[name] = try MustacheTemplate(string: text)
            } catch {
                throw AccountsError(.configuration, "template \(name.rawValue) does not parse: \(error)")
            }
        }
        self.templates = templates
        styleHash = "sha256-" + Data(OpenSSLCrypto.sha256(Array(style.utf8))).base64EncodedString()
    }

    func render(_ name: Name, _ context: [String: Any]) -> String {
        templates[name]!.render(context)
    }
}
