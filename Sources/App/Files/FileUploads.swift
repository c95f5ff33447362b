import Foundation

/// The files of an upload request: the file parts of a `multipart/form-data` body, or the whole body named by
/// `?name=`, each with a name fit to be a row's key.
enum FileUploads {
    struct Upload {
        let name: String
        let bytes: ArraySlice<UInt8>
    }

    /// Room for a few files of `FileText.sizeLimit` in one form.
    static let requestLimit = 64 << 20
    static let filesPerRequest = 20

    static func files(in body: [UInt8], contentType: String?, name: String?) throws(AppError) -> [Upload] {
        var uploads: [Upload]
        if let boundary = contentType.flatMap(MultipartForm.boundary) {
            let form: MultipartForm
            do {
                form = try MultipartForm(body, boundary: boundary)
            } catch {
                throw AppError(.badRequest, code: .badRequest, message: "The multipart body \(error.reason)")
            }
            uploads = []
            for part in form.parts {
                guard let filename = part.filename else { continue }  // other fields are ignored
                uploads.append(Upload(name: try validName(filename, field: "filename"), bytes: part.body))
            }
            guard !uploads.isEmpty else {
                throw .invalidField("file", "The form has no file: send each file as a part with a filename.")
            }
        } else {
            guard let name else {
                throw .invalidParameter(
                    "name",
                    "Name the file with ?name= (such as ?name=guide.pdf), or send it as multipart/form-data."
                )
            }
            uploads = [Upload(name: try validName(name, field: "name"), bytes: body[...])]
        }
        guard uploads.count <= filesPerRequest else {
            throw .invalidField("file", "At most \(filesPerRequest) files may be uploaded at once.")
        }
        var seen: Set<String> = []
        for upload in uploads where !seen.insert(upload.name).inserted {
            throw .invalidField("file", "The file name \"\(upload.name)\" comes twice.")
        }
        return uploads
    }

    /// The file's own name, without any folder a browser sent with it, as a row key.
    private static func validName(_ raw: String, field: String) throws(AppError) -> String {
        let name = String(raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? "")
            .trimmingCharacters(in: .whitespaces)
        guard (1...RowRules.maximumKeyLength).contains(name.count), !name.contains(where: \.isNewline) else {
            throw .invalidField(field, "A file name must be 1 to \(RowRules.maximumKeyLength) characters on one line.")
        }
        return name
    }
}
