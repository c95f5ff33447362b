import CZlib
import Foundation
import Hummingbird
import ZIPFoundation

/// Files for upload tests, made here from their text: a PDF with one text line per page, a Word `.docx` with
/// paragraphs, and the `multipart/form-data` body a browser sends for them.
enum FileFixtures {
    /// A PDF 1.4 whose pages each show one line of `pages` in Helvetica (Latin-1 text).
    static func pdf(pages: [String]) -> [UInt8] {
        var objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [\(pages.indices.map { "\(4 + 2 * $0) 0 R" }.joined(separator: " "))] /Count \(pages.count) >>",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        ]
        for (index, text) in pages.enumerated() {
            let escaped = text.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "(", with: "\\(").replacingOccurrences(of: ")", with: "\\)")
            let stream = "BT /F1 12 Tf 72 720 Td (\(escaped)) Tj ET"
            objects.append(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
                    + "/Contents \(5 + 2 * index) 0 R >>"
            )
            objects.append("<< /Length \(stream.utf8.count) >>\nstream\n\(stream)\nendstream")
        }
        var bytes = Array("%PDF-1.4\n".utf8)
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            offsets.append(bytes.count)
            bytes += "\(index + 1) 0 obj\n\(object)\nendobj\n".data(using: .isoLatin1)!
        }
        let table = bytes.count
        bytes += Array("xref\n0 \(objects.count + 1)\n0000000000 65535 f \n".utf8)
        for offset in offsets { bytes += Array(String(format: "%010d 00000 n \n", offset).utf8) }
        bytes += Array("trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(table)\n%%EOF\n".utf8)
        return bytes
    }

    /// A Word document of `paragraphs`; a tab in one becomes `w:tab`. `documentPart: false` leaves out the
    /// main part, as a zip that is not a Word document.
    static func docx(paragraphs: [String], documentPart: Bool = true) throws -> [UInt8] {
        let body: String = paragraphs.map { (paragraph: String) -> String in
            let runs = paragraph.split(separator: "\t", omittingEmptySubsequences: false)
                .map { "<w:t xml:space=\"preserve\">\(escapeXML(String($0)))</w:t>" }
                .joined(separator: "<w:tab/>")
            return "<w:p><w:r>\(runs)</w:r></w:p>"
        }.joined()
        let document: String =
            #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>"#
            + body + "</w:body></w:document>"
        let parts: [(String, String)] = [
            (
                "[Content_Types].xml",
                #"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>"#
            ),
            ("word/document.xml", document),
        ].filter { documentPart || $0.0 != "word/document.xml" }
        let archive = try Archive(accessMode: .create)
        for (path, text) in parts {
            let data = Data(text.utf8)
            try archive.addEntry(
                with: path,
                type: .file,
                uncompressedSize: Int64(data.count),
                compressionMethod: .deflate
            ) { position, size in data.subdata(in: Int(position)..<Int(position) + size) }
        }
        return Array(archive.data ?? Data())
    }

    /// A committed fixture (Tests/AppTests/Fixtures/README.md says how each was made).
    static func committed(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: packageRoot.appendingPathComponent("Tests/AppTests/Fixtures/\(name)")))
    }

    /// A `multipart/form-data` body with one `file` part per file, and its content type.
    static func multipart(_ files: [(name: String, bytes: [UInt8])]) -> (body: [UInt8], contentType: String) {
        let boundary = "----SwitchboardBoundary\(UUID().uuidString)"
        var body: [UInt8] = []
        for file in files {
            body += Array("--\(boundary)\r\n".utf8)
            body += Array("Content-Disposition: form-data; name=\"file\"; filename=\"\(file.name)\"\r\n".utf8)
            body += Array("Content-Type: application/octet-stream\r\n\r\n".utf8)
            body += file.bytes
            body += Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return (body, "multipart/form-data; boundary=\(boundary)")
    }

    private static func escapeXML(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}

extension API {
    /// Sends `bytes` as the body, with `contentType`.
    func send(
        _ method: HTTPRequest.Method,
        _ path: String,
        key: String?,
        bytes: [UInt8],
        contentType: String
    ) async throws -> Reply {
        var headers: HTTPFields = [.contentType: contentType]
        if let key { headers[.authorization] = "Bearer \(key)" }
        let response = try await client.execute(
            uri: path,
            method: method,
            headers: headers,
            body: ByteBuffer(bytes: bytes)
        )
        return Reply(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }
}

extension FileFixtures {
    /// `bytes` gzipped by zlib, as a server sends a `.xml.gz` sitemap.
    static func gzip(_ bytes: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        deflateInit2_(
            &stream,
            Z_BEST_COMPRESSION,
            Z_DEFLATED,
            16 + MAX_WBITS,
            8,
            Z_DEFAULT_STRATEGY,
            ZLIB_VERSION,
            Int32(MemoryLayout<z_stream>.size)
        )
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 32)
        var input = bytes
        input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = source.baseAddress
                stream.avail_in = uInt(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = uInt(target.count)
                _ = deflate(&stream, Z_FINISH)
            }
        }
        return Array(output.prefix(Int(stream.total_out)))
    }
}
