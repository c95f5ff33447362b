import Testing

@testable import App

/// Reading `multipart/form-data` bodies (RFC 7578) for file uploads.
@Suite struct MultipartFormTests {
    static func body(_ text: String) -> [UInt8] { Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8) }

    @Test func partsKeepTheirNamesFileNamesTypesAndExactBytes() throws {
        let form = try MultipartForm(
            Self.body(
                """
                preamble
                --XyZ
                Content-Disposition: form-data; name="note"

                hello
                --XyZ
                Content-Disposition: form-data; name="file"; filename="say \\"hi\\".txt"
                Content-Type: text/plain

                line one
                line two
                --XyZ
                Content-Disposition: form-data; name="file"; filename*=UTF-8''na%C3%AFve.md

                # Naïve
                --XyZ--
                """
            ),
            boundary: "XyZ"
        )
        #expect(form.parts.map(\.name) == ["note", "file", "file"])
        #expect(form.parts.map(\.filename) == [nil, "say \"hi\".txt", "naïve.md"])
        #expect(form.parts[1].contentType == "text/plain")
        #expect(Array(form.parts[1].body) == Array("line one\r\nline two".utf8))
        #expect(String(decoding: form.parts[2].body, as: UTF8.self) == "# Naïve")
    }

    @Test func theBoundaryComesFromTheContentTypeOfAFormOnly() {
        #expect(MultipartForm.boundary(of: "multipart/form-data; boundary=\"a b\"") == "a b")
        #expect(MultipartForm.boundary(of: "Multipart/Form-Data;boundary=----x") == "----x")
        #expect(MultipartForm.boundary(of: "multipart/mixed; boundary=x") == nil)
        #expect(MultipartForm.boundary(of: "multipart/form-data") == nil)
        #expect(MultipartForm.boundary(of: "application/pdf") == nil)
    }

    @Test(arguments: [
        "no boundary at all",
        "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nnever closed",
        "--XyZ\r\nContent-Disposition: form-data; name=\"a\"",
        "--XyZ garbage",
    ])
    func aBrokenBodyIsRefused(body: String) {
        #expect(throws: MultipartForm.Malformed.self) { try MultipartForm(Array(body.utf8), boundary: "XyZ") }
    }
}
