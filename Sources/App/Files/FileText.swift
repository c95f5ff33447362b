import Foundation

/// The text of an uploaded file (DESIGN.md §7, "Files"), by real parsers: plain text and Markdown as they are,
/// HTML through libxml2, PDF through Poppler, Word `.docx` through ZIPFoundation and libxml2. The format comes
/// from the file's name, and its bytes must agree.
struct FileText: Sendable, Equatable {
    enum Format: String, Sendable, Encodable {
        case text, markdown, html, pdf, docx

        init?(filename: String) {
            switch (filename as NSString).pathExtension.lowercased() {
            case "txt", "text": self = .text
            case "md", "markdown": self = .markdown
            case "html", "htm", "xhtml": self = .html
            case "pdf": self = .pdf
            case "docx": self = .docx
            default: return nil
            }
        }
    }

    /// Why a file cannot be read, as the end of "The file "x" …".
    struct Failure: Error, Equatable {
        let reason: String

        static let encrypted = Failure(reason: "is encrypted (password protected): upload it without the password.")
        static func corrupt(_ format: Format, _ detail: String) -> Failure {
            Failure(reason: "is not a readable \(format.label) file (\(detail)).")
        }
    }

    static let sizeLimit = 20 << 20
    static let supported = "plain text (.txt), Markdown (.md), HTML (.html), PDF (.pdf) and Word (.docx)"

    let format: Format
    let title: String?
    let text: String

    init(filename: String, bytes: [UInt8]) throws(Failure) {
        guard let format = Format(filename: filename) else {
            throw Failure(reason: "is not a supported type: upload \(Self.supported).")
        }
        guard bytes.count <= Self.sizeLimit else {
            throw Failure(reason: "is larger than \(Self.sizeLimit >> 20) MiB.")
        }
        self.format = format
        switch format {
        case .text, .markdown:
            guard let text = String(validating: Self.withoutByteOrderMark(bytes), as: UTF8.self) else {
                throw .corrupt(format, "it is not UTF-8 text")
            }
            (title, self.text) = (nil, text)
        case .html:
            let page = HTMLText(html: bytes)
            (title, text) = (page.title, page.text)
        case .pdf:
            (title, text) = (nil, try PDFText.text(of: bytes))
        case .docx:
            (title, text) = (nil, try DocxText.text(of: bytes))
        }
        guard !text.allSatisfy(\.isWhitespace) else {
            throw Failure(
                reason: format == .pdf
                    ? "has no text to read (a scanned PDF needs text recognition first)."
                    : "has no text to read."
            )
        }
        guard text.count <= RowRules.maximumContentLength else {
            throw Failure(reason: "has more than \(RowRules.maximumContentLength) characters of text.")
        }
    }

    private static func withoutByteOrderMark(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes[...]
    }
}

extension FileText.Format {
    var label: String {
        switch self {
        case .text: "text"
        case .markdown: "Markdown"
        case .html: "HTML"
        case .pdf: "PDF"
        case .docx: "Word (.docx)"
        }
    }
}
