import Foundation
import Mustache

/// The three Mustache templates of one kind of mail: `KIND_subject.txt`, `KIND_email.txt` and
/// `KIND_email.html` (activation_subject.txt …). The HTML one escapes every variable; the
/// subject and text ones are rendered as plain text. Which variables there are is the kind's
/// flow's business (`ActivationMail`).
public struct MailTemplates: Sendable {
    public let kind: MailKind
    private let subject: MustacheTemplate
    private let text: MustacheTemplate
    private let html: MustacheTemplate

    /// The subject, text and HTML file names of `kind`, in that order.
    public static func fileNames(_ kind: MailKind) -> [String] {
        ["\(kind)_subject.txt", "\(kind)_email.txt", "\(kind)_email.html"]
    }

    /// The templates of `kind` in `directory`, or the copy built into the binary when it is
    /// nil. A directory must hold all three files.
    public init(_ kind: MailKind, directory: String?) throws {
        self.kind = kind
        let names = Self.fileNames(kind)
        var sources: [String] = []
        for name in names {
            if let directory {
                let path = (directory as NSString).appendingPathComponent(name)
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw AccountsError(.configuration, "template \(path) is missing or unreadable (a templates directory needs \(names.joined(separator: ", ")))")
                }
                guard let source = String(data: data, encoding: .utf8) else {
                    throw AccountsError(.configuration, "template \(path) is not UTF-8 text")
                }
                sources.append(source)
            } else {
                guard let source = Self.builtIn[name] else {
                    throw AccountsError(.configuration, "no built-in template \(name): the \(kind) flow has no mail texts")
                }
                sources.append(source)
            }
        }
        func compile(_ index: Int, plainText: Bool) throws -> MustacheTemplate {
            // The pragma switches escaping off for text; the HTML template keeps the default.
            let source = (plainText ? "{{% CONTENT_TYPE: TEXT}}" : "") + sources[index]
            do {
                return try MustacheTemplate(string: source)
            } catch {
                throw AccountsError(.configuration, "template \(names[index]) does not parse: \(error)")
            }
        }
        subject = try compile(0, plainText: true)
        text = try compile(1, plainText: true)
        html = try compile(2, plainText: false)
    }

    /// The copies in Mail/Templates, compiled in by SwiftPM (`.embedInCode` in Package.swift):
    /// every kind's three files.
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

    /// Renders all three with `variables`.
    public func render(_ variables: [String: String]) -> Rendered {
        Rendered(subject: subject.render(variables), text: text.render(variables), html: html.render(variables))
    }
}
