import Foundation

/// The parts of a `multipart/form-data` body (RFC 7578): each part's field name, file name, type and bytes.
struct MultipartForm: Sendable {
    struct Part: Sendable {
        let name: String?
        let filename: String?
        let contentType: String?
        let body: ArraySlice<UInt8>
    }

    let parts: [Part]

    /// Why a body is not a well-formed form, as the end of "The multipart body …".
    struct Malformed: Error {
        let reason: String
    }

    /// The boundary a `multipart/form-data` content type names; nil for any other type.
    static func boundary(of contentType: String) -> String? {
        let parameters = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parameters.first?.lowercased() == "multipart/form-data" else { return nil }
        for parameter in parameters.dropFirst() where parameter.lowercased().hasPrefix("boundary=") {
            let value = parameter.dropFirst("boundary=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            return (1...70).contains(value.utf8.count) ? value : nil
        }
        return nil
    }

    init(_ body: [UInt8], boundary: String) throws(Malformed) {
        let delimiter = Array("--\(boundary)".utf8)
        let separator = Array("\r\n".utf8) + delimiter
        guard var position = Self.find(delimiter, in: body, from: 0) else {
            throw Malformed(reason: "does not contain its boundary.")
        }
        position += delimiter.count
        var parts: [Part] = []
        while true {
            if body[position...].starts(with: Array("--".utf8)) { break }  // the closing delimiter
            guard body[position...].starts(with: Array("\r\n".utf8)) else {
                throw Malformed(reason: "has a boundary not followed by a line break.")
            }
            let headersStart = position + 2
            guard let headersEnd = Self.find(Array("\r\n\r\n".utf8), in: body, from: headersStart) else {
                throw Malformed(reason: "has a part without the blank line that ends its headers.")
            }
            guard let end = Self.find(separator, in: body, from: headersEnd + 4) else {
                throw Malformed(reason: "ends before its closing boundary.")
            }
            let headers = String(decoding: body[headersStart..<headersEnd], as: UTF8.self)
            parts.append(Self.part(headers: headers, body: body[(headersEnd + 4)..<end]))
            position = end + separator.count
        }
        self.parts = parts
    }

    private static func part(headers: String, body: ArraySlice<UInt8>) -> Part {
        var disposition: [String: String] = [:]
        var contentType: String?
        for line in headers.split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "content-type" { contentType = value }
            if name == "content-disposition" { disposition = parameters(of: value) }
        }
        let filename = disposition["filename*"].flatMap(extendedValue) ?? disposition["filename"]
        return Part(name: disposition["name"], filename: filename, contentType: contentType, body: body)
    }

    /// `form-data; name="file"; filename="a \"b\".pdf"` → `["name": "file", "filename": "a \"b\".pdf"]`.
    static func parameters(of header: String) -> [String: String] {
        var result: [String: String] = [:]
        var rest = Substring(header)
        // Skip the disposition type.
        guard let first = rest.firstIndex(of: ";") else { return result }
        rest = rest[rest.index(after: first)...]
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " || $0 == ";" }
            guard let equals = rest.firstIndex(of: "=") else { break }
            let name = rest[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            rest = rest[rest.index(after: equals)...]
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                while let character = rest.first, character != "\"" {
                    rest = rest.dropFirst()
                    if character == "\\", let escaped = rest.first {
                        value.append(escaped)
                        rest = rest.dropFirst()
                    } else {
                        value.append(character)
                    }
                }
                rest = rest.dropFirst()
            } else {
                let end = rest.firstIndex(of: ";") ?? rest.endIndex
                value = rest[..<end].trimmingCharacters(in: .whitespaces)
                rest = rest[end...]
            }
            result[name] = value
        }
        return result
    }

    /// RFC 8187: `UTF-8''na%C3%AFve.pdf` → `naïve.pdf`.
    private static func extendedValue(_ value: String) -> String? {
        let pieces = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard pieces.count == 3, pieces[0].lowercased() == "utf-8" else { return nil }
        return pieces[2].removingPercentEncoding
    }

    /// Where `needle` first occurs in `haystack` at or after `start`.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, haystack.count - start >= needle.count else { return nil }
        return haystack.withUnsafeBufferPointer { bytes -> Int? in
            var index = start
            let last = bytes.count - needle.count
            while index <= last {
                guard let found = memchr(bytes.baseAddress! + index, Int32(first), last - index + 1) else { return nil }
                index = bytes.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
                if memcmp(bytes.baseAddress! + index, needle, needle.count) == 0 { return index }
                index += 1
            }
            return nil
        }
    }
}
