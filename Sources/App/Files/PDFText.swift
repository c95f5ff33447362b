import CPoppler

/// The text of a PDF's pages, in order, by Poppler's GLib API.
enum PDFText {
    static func text(of bytes: [UInt8]) throws(FileText.Failure) -> String {
        // Poppler reads a document from its own copy of the bytes.
        let data = bytes.withUnsafeBytes { g_bytes_new($0.baseAddress, gsize($0.count)) }
        defer { g_bytes_unref(data) }
        var error: UnsafeMutablePointer<GError>?
        guard let document = poppler_document_new_from_bytes(data, nil, &error) else {
            defer { if error != nil { g_error_free(error) } }
            if let error, error.pointee.domain == poppler_error_quark(),
                error.pointee.code == Int32(POPPLER_ERROR_ENCRYPTED.rawValue)
            {
                throw .encrypted
            }
            let message =
                error.flatMap { $0.pointee.message.map { String(cString: $0) } } ?? "Poppler could not open it"
            throw .corrupt(.pdf, message)
        }
        defer { g_object_unref(UnsafeMutableRawPointer(document)) }
        var pages: [String] = []
        for index in 0..<poppler_document_get_n_pages(document) {
            guard let page = poppler_document_get_page(document, index) else { continue }
            defer { g_object_unref(UnsafeMutableRawPointer(page)) }
            guard let text = poppler_page_get_text(page) else { continue }
            pages.append(String(cString: text))
            g_free(text)
        }
        return pages.joined(separator: "\n\n")
    }
}
