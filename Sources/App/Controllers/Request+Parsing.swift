import Foundation
import Hummingbird

extension Request {
    /// Decodes a JSON body, answering 415 for another content type, 413 over the context's limit,
    /// 400 for malformed JSON and 422 naming the field that has the wrong type or is missing.
    func decodeJSON<Body: Decodable>(
        as type: Body.Type,
        context: some RequestContext,
        limit: Int? = nil
    ) async throws -> Body {
        guard let contentType = headers[.contentType], Self.isJSON(contentType) else {
            throw AppError.unsupportedMediaType
        }
        let buffer = try await collectBody(upTo: limit ?? context.maxUploadSize)
        do {
            return try JSONDecoder().decode(Body.self, from: buffer)
        } catch let error as DecodingError {
            throw AppError(decoding: error)
        }
    }

    /// The body, or 413 naming `limit`.
    func collectBody(upTo limit: Int) async throws -> ByteBuffer {
        do {
            return try await body.collect(upTo: limit)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw AppError.payloadTooLarge(limit: limit)
        }
    }

    /// Whether the body is declared as `mediaType` (parameters such as charset aside).
    func hasContentType(_ mediaType: String) -> Bool {
        headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
            == mediaType
    }

    /// `?limit=` and `?cursor=` of a list route.
    func pageRequest() throws(AppError) -> PageRequest {
        try PageRequest(
            limit: uri.queryParameters["limit"].map(String.init),
            cursor: uri.queryParameters["cursor"].map(String.init)
        )
    }

    /// A query parameter that must be one of an enumeration's values; `nil` when absent, 400 when unknown.
    func queryChoice<Choice: RawRepresentable & CaseIterable>(_ name: String) throws(AppError) -> Choice?
    where Choice.RawValue == String {
        guard let given = uri.queryParameters[Substring(name)].map(String.init) else { return nil }
        guard let choice = Choice(rawValue: given) else {
            let choices = Choice.allCases.map(\.rawValue).joined(separator: ", ")
            throw .invalidParameter(name, "\(name) must be one of \(choices).")
        }
        return choice
    }

    /// A query parameter that must be an ISO 8601 time; `nil` when absent, 400 when it is not one.
    func queryTime(_ name: String) throws(AppError) -> Timestamp? {
        guard let given = uri.queryParameters[Substring(name)].map(String.init) else { return nil }
        guard let time = Timestamp(iso8601: given) else {
            throw .invalidParameter(name, "\(name) must be an ISO 8601 time such as 2026-12-01T00:00:00Z.")
        }
        return time
    }

    /// `?limit=` and the decoded `?cursor=` position of a list with its own order (transcripts, rows, documents).
    func pageBounds() throws(AppError) -> (limit: Int, after: String?) {
        let limit = try PageRequest(limit: uri.queryParameters["limit"].map(String.init), cursor: nil).limit
        guard let cursor = uri.queryParameters["cursor"].map(String.init), !cursor.isEmpty else { return (limit, nil) }
        return (limit, try Cursor.decode(cursor))
    }

    private static func isJSON(_ contentType: String) -> Bool {
        let mediaType = contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        return mediaType == "application/json" || (mediaType?.hasSuffix("+json") ?? false)
    }
}

extension AppError {
    /// Reads `DecodingError`: broken syntax is 400; a missing, null or mistyped field is 422 with its path.
    init(decoding error: DecodingError) {
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            self = .malformedJSON("The body is not valid JSON.")
        case .dataCorrupted(let context):
            self = .invalidField(context.codingPath.fieldPath, "\(context.codingPath.fieldPath) has an invalid value.")
        case .keyNotFound(let key, let context):
            let field = (context.codingPath + [key]).fieldPath
            self = .invalidField(field, "\(field) is required.")
        case .valueNotFound(_, let context):
            self = .invalidField(context.codingPath.fieldPath, "\(context.codingPath.fieldPath) must not be null.")
        case .typeMismatch(let type, let context) where context.codingPath.isEmpty:
            self = .malformedJSON("The body must be a JSON \(type is any Collection.Type ? "array" : "object").")
        case .typeMismatch(let type, let context):
            let field = context.codingPath.fieldPath
            self = .invalidField(field, "\(field) must be \(Self.describe(type)).")
        @unknown default:
            self = .malformedJSON("The body could not be read.")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is Int64.Type: "a whole number"
        case is Double.Type: "a number"
        default: "of type \(type)"
        }
    }
}

extension [any CodingKey] {
    /// `rows[2].key`: the path of a field as a client would write it.
    var fieldPath: String {
        var path = ""
        for key in self {
            if let index = key.intValue {
                path += "[\(index)]"
            } else {
                path += path.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return path
    }
}

extension KeyedDecodingContainer {
    /// A field an update can clear: absent leaves the setting (`.none`), `null` clears it (`.some(nil)`).
    func decodeClearable<Value: Decodable>(_ type: Value.Type, forKey key: Key) throws -> Value?? {
        contains(key) ? .some(try decodeIfPresent(type, forKey: key)) : .none
    }
}
