import CLibXML2

/// The readable text of an HTML page. libxml2's HTML parser does the parsing — broken markup repaired,
/// entities and character references decoded — and this walks its tree: scripts, styles and other
/// non-content elements are dropped, block elements become paragraphs, and runs of white space collapse
/// to one space (except inside `pre`).
struct HTMLText: Sendable, Equatable {
    let title: String?
    let text: String

    init(title: String?, text: String) {
        self.title = title
        self.text = text
    }

    /// Parses `html`, read as `charset` (an IANA name such as `UTF-8`).
    init(html: [UInt8], charset: String = "UTF-8") {
        let options = Int32(
            HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
                | HTML_PARSE_NONET.rawValue | HTML_PARSE_COMPACT.rawValue
        )
        let document = html.withUnsafeBufferPointer { buffer in
            buffer.baseAddress?.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                htmlReadMemory($0, Int32(buffer.count), nil, charset, options)
            }
        }
        guard let document else {
            (title, text) = (nil, "")
            return
        }
        defer { xmlFreeDoc(document) }
        var writer = Writer()
        writer.visit(children: xmlDocGetRootElement(document))
        writer.endBlock()
        title = writer.title
        text = writer.paragraphs.joined(separator: "\n\n")
    }

    /// Elements whose content is not text a reader sees.
    static let skipped: Set<String> = [
        "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "canvas", "head",
    ]
    /// Elements that start and end a paragraph.
    static let blocks: Set<String> = [
        "address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hr", "html", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tr", "ul",
    ]

    private struct Writer {
        var title: String?
        var paragraphs: [String] = []
        var paragraph = ""
        var pendingSpace = false
        var preformatted = 0

        mutating func visit(children first: xmlNodePtr?) {
            var node = first
            while let current = node {
                visit(current)
                node = current.pointee.next
            }
        }

        mutating func visit(_ node: xmlNodePtr) {
            switch node.pointee.type {
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = node.pointee.content { append(String(cString: content)) }
            case XML_ELEMENT_NODE:
                let name = node.pointee.name.map { String(cString: $0).lowercased() } ?? ""
                if name == "head" { findTitle(in: node.pointee.children) }
                if HTMLText.skipped.contains(name) { return }
                if name == "br" {
                    paragraph += "\n"
                    pendingSpace = false
                    return
                }
                if name == "td" || name == "th" { pendingSpace = !paragraph.isEmpty }
                let isBlock = HTMLText.blocks.contains(name)
                if isBlock { endBlock() }
                if name == "pre" { preformatted += 1 }
                visit(children: node.pointee.children)
                if name == "pre" { preformatted -= 1 }
                if isBlock { endBlock() }
            default:
                return
            }
        }

        mutating func findTitle(in first: xmlNodePtr?) {
            var node = first
            while let current = node, title == nil {
                if current.pointee.type == XML_ELEMENT_NODE, let name = current.pointee.name,
                    String(cString: name).lowercased() == "title"
                {
                    var text = ""
                    var child = current.pointee.children
                    while let node = child {
                        if node.pointee.type == XML_TEXT_NODE, let content = node.pointee.content {
                            text += String(cString: content)
                        }
                        child = node.pointee.next
                    }
                    let collapsed = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
                    title = collapsed.isEmpty ? nil : collapsed
                }
                node = current.pointee.next
            }
        }

        mutating func append(_ text: String) {
            if preformatted > 0 {
                paragraph += text
                pendingSpace = false
                return
            }
            for character in text {
                if character.isWhitespace {
                    pendingSpace = !paragraph.isEmpty && paragraph.last != "\n"
                } else {
                    if pendingSpace { paragraph.append(" ") }
                    paragraph.append(character)
                    pendingSpace = false
                }
            }
        }

        mutating func endBlock() {
            let text = paragraph.trimmingWhitespace()
            if !text.isEmpty { paragraphs.append(text) }
            paragraph = ""
            pendingSpace = false
        }
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }),
            let last = lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(self[first...last])
    }
}
