import CLibXML2
import Foundation
import ZIPFoundation

/// The text of a Word `.docx`: its main part, `word/document.xml`, read from the zip by ZIPFoundation and parsed
/// by libxml2; each paragraph (`w:p`) a line, tabs and breaks kept.
enum DocxText {
    /// A document's XML may be far larger than its zip; past this it is refused, not inflated (a zip bomb).
    static let expandedLimit = 200 << 20
    /// An OLE compound file: what Word writes for a password-protected document, whatever its extension.
    private static let compoundFileSignature: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]

    static func text(of bytes: [UInt8]) throws(FileText.Failure) -> String {
        if bytes.starts(with: compoundFileSignature) { throw .encrypted }
        let xml: Data
        do {
            let archive = try Archive(data: Data(bytes), accessMode: .read)
            guard let entry = archive["word/document.xml"] else {
                throw FileText.Failure.corrupt(.docx, "it has no word/document.xml")
            }
            guard entry.uncompressedSize <= UInt64(expandedLimit) else {
                throw FileText.Failure.corrupt(.docx, "its text expands past \(expandedLimit >> 20) MiB")
            }
            var collected = Data()
            _ = try archive.extract(entry, skipCRC32: false) { chunk in
                guard collected.count + chunk.count <= expandedLimit else {
                    throw FileText.Failure.corrupt(.docx, "its text expands past \(expandedLimit >> 20) MiB")
                }
                collected.append(chunk)
            }
            xml = collected
        } catch let failure as FileText.Failure {
            throw failure
        } catch {
            throw .corrupt(.docx, "it is not a valid zip archive")
        }
        return try paragraphs(of: xml)
    }

    private static func paragraphs(of xml: Data) throws(FileText.Failure) -> String {
        // No network, no external entities or DTD loading; huge text nodes allowed (one long paragraph).
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        let document = xml.withUnsafeBytes { buffer in
            xmlReadMemory(
                buffer.baseAddress?.assumingMemoryBound(to: CChar.self),
                Int32(buffer.count),
                nil,
                "UTF-8",
                options
            )
        }
        guard let document else { throw .corrupt(.docx, "its word/document.xml is not well-formed XML") }
        defer { xmlFreeDoc(document) }
        var writer = Writer()
        writer.visit(xmlDocGetRootElement(document))
        writer.endParagraph()
        return writer.lines.joined(separator: "\n")
    }

    private struct Writer {
        var lines: [String] = []
        var line = ""

        mutating func visit(_ node: xmlNodePtr?) {
            var node = node
            while let current = node {
                if current.pointee.type == XML_ELEMENT_NODE {
                    let name = current.pointee.name.map { String(cString: $0) } ?? ""
                    switch name {
                    case "t":  // text runs; deleted text (`w:delText`) and field codes (`w:instrText`) are not read
                        var text = current.pointee.children
                        while let piece = text {
                            if let content = piece.pointee.content { line += String(cString: content) }
                            text = piece.pointee.next
                        }
                    case "tab": line += "\t"
                    case "br", "cr": line += "\n"
                    case "p":
                        visit(current.pointee.children)
                        endParagraph()
                    default: visit(current.pointee.children)
                    }
                }
                node = current.pointee.next
            }
        }

        mutating func endParagraph() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty { lines.append(trimmed) }
            line = ""
        }
    }
}
