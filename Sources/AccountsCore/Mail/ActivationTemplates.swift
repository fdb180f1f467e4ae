import Foundation
import Mustache

/// The three Mustache templates of the activation mail. The HTML one escapes every variable;
/// the subject and text ones are rendered as plain text.
public struct ActivationTemplates: Sendable {
    public static let fileNames = ["activation_subject.txt", "activation_email.txt", "activation_email.html"]

    private let subject: MustacheTemplate
    private let text: MustacheTemplate
    private let html: MustacheTemplate

    /// The templates in `directory`, or the copy built into the binary when it is nil.
    /// A directory must hold all three files.
    public init(directory: String?) throws {
        var sources: [String: String] = [:]
        for name in Self.fileNames {
            if let directory {
                let path = (directory as NSString).appendingPathComponent(name)
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw AccountsError(.configuration, "template \(path) is missing or unreadable (a templates directory needs \(Self.fileNames.joined(separator: ", ")))")
                }
                guard let source = String(data: data, encoding: .utf8) else {
                    throw AccountsError(.configuration, "template \(path) is not UTF-8 text")
                }
                sources[name] = source
            } else {
                sources[name] = Self.builtIn[name]
            }
        }
        func compile(_ name: String, plainText: Bool) throws -> MustacheTemplate {
            // The pragma switches escaping off for text; the HTML template keeps the default.
            let source = (plainText ? "{{% CONTENT_TYPE: TEXT}}" : "") + sources[name]!
            do {
                return try MustacheTemplate(string: source)
            } catch {
                throw AccountsError(.configuration, "template \(name) does not parse: \(error)")
            }
        }
        subject = try compile("activation_subject.txt", plainText: true)
        text = try compile("activation_email.txt", plainText: true)
        html = try compile("activation_email.html", plainText: false)
    }

    /// The copies in Mail/Templates, compiled in by SwiftPM (`.embedInCode` in Package.swift).
    static let builtIn: [String: String] = [
        "activation_subject.txt": String(decoding: PackageResources.activation_subject_txt, as: UTF8.self),
        "activation_email.txt": String(decoding: PackageResources.activation_email_txt, as: UTF8.self),
        "activation_email.html": String(decoding: PackageResources.activation_email_html, as: UTF8.self),
    ]

    public struct Rendered: Equatable, Sendable {
        public var subject: String
        public var text: String
        public var html: String
    }

    /// Renders all three with the variables user_id, email, activation_url, uid, token, expires_at.
    public func render(_ variables: [String: String]) -> Rendered {
        Rendered(subject: subject.render(variables), text: text.render(variables), html: html.render(variables))
    }
}
