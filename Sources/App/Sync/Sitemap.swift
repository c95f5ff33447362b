import CLibXML2
import Foundation

/// A sitemap document (sitemaps.org): the pages of a `<urlset>`, or the sitemaps of a `<sitemapindex>`, each
/// `<loc>` in document order. Parsed by libxml2, without network access or entity loading.
enum Sitemap: Equatable {
    case pages([String])
    case index([String])

    struct Failure: Error {
        let reason: String
    }

    init(xml bytes: [UInt8]) throws(Failure) {
        let options = Int32(
            XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
                | XML_PARSE_HUGE.rawValue
        )
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress?.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                xmlReadMemory($0, Int32(buffer.count), nil, nil, options)
            }
        }
        guard let document else { throw Failure(reason: "is not well-formed XML") }
        defer { xmlFreeDoc(document) }
        guard let root = xmlDocGetRootElement(document) else { throw Failure(reason: "is empty") }
        switch Self.name(of: root) {
        case "urlset": self = .pages(Self.locations(in: root, entry: "url"))
        case "sitemapindex": self = .index(Self.locations(in: root, entry: "sitemap"))
        default: throw Failure(reason: "is not a sitemap (its root is neither <urlset> nor <sitemapindex>)")
        }
    }

    /// The `<loc>` of each `entry` child of `root`, trimmed.
    private static func locations(in root: xmlNodePtr, entry: String) -> [String] {
        var found: [String] = []
        for child in children(of: root) where name(of: child) == entry {
            for field in children(of: child) where name(of: field) == "loc" {
                var text = ""
                for piece in sequence(first: field.pointee.children, next: { $0?.pointee.next }).compactMap({ $0 })
                where piece.pointee.type == XML_TEXT_NODE || piece.pointee.type == XML_CDATA_SECTION_NODE {
                    if let content = piece.pointee.content { text += String(cString: content) }
                }
                let location = text.trimmingCharacters(in: .whitespacesAndNewlines)
                if !location.isEmpty { found.append(location) }
            }
        }
        return found
    }

    private static func children(of node: xmlNodePtr) -> [xmlNodePtr] {
        sequence(first: node.pointee.children, next: { $0?.pointee.next }).compactMap { $0 }
            .filter { $0.pointee.type == XML_ELEMENT_NODE }
    }

    private static func name(of node: xmlNodePtr) -> String {
        node.pointee.name.map { String(cString: $0) } ?? ""
    }
}
