import Foundation
import Hummingbird

/// The one error type the API answers with: every failure becomes
/// `{"error": {"code", "message", "details"}}` with a deliberate status (DESIGN.md §8).
struct AppError: Error, HTTPResponseError, Sendable {
    let status: HTTPResponse.Status
    let code: String
    let message: String
    let details: [String: JSONValue]?

    init(_ status: HTTPResponse.Status, code: String, message: String, details: [String: JSONValue]? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = try JSONEncoder.api().encode(Body(error: .init(code: code, message: message, details: details)))
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        if status == .unauthorized {
            headers[.wwwAuthenticate] = "Bearer"
        }
        if status == .tooManyRequests, case .number(let seconds)? = details?["retryAfterSeconds"] {
            headers[.retryAfter] = String(Int(seconds))
        }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    private struct Body: Encodable {
        struct Payload: Encodable {
            let code: String
            let message: String
            let details: [String: JSONValue]?
        }
        let error: Payload
    }
}

extension AppError {
    static func malformedJSON(_ message: String) -> AppError {
        AppError(.badRequest, code: "malformed_json", message: message)
    }

    static func invalidParameter(_ name: String, _ message: String) -> AppError {
        AppError(.badRequest, code: "invalid_parameter", message: message, details: ["parameter": .string(name)])
    }

    static func invalidField(_ field: String, _ message: String) -> AppError {
        AppError(.unprocessableContent, code: "invalid_field", message: message, details: ["field": .string(field)])
    }

    static let unauthenticated = AppError(
        .unauthorized,
        code: "unauthenticated",
        message: "A valid credential is required: send 'Authorization: Bearer <key>'."
    )

    static func forbidden(_ message: String) -> AppError {
        AppError(.forbidden, code: "forbidden", message: message)
    }

    static func notFound(_ what: String) -> AppError {
        AppError(.notFound, code: "not_found", message: "\(what) was not found.")
    }

    static let routeNotFound = AppError(.notFound, code: "not_found", message: "No such route.")

    static func payloadTooLarge(limit: Int) -> AppError {
        AppError(
            .contentTooLarge,
            code: "payload_too_large",
            message: "The request body is larger than the limit of \(limit) bytes.",
            details: ["limitBytes": .number(Double(limit))]
        )
    }

    static let unsupportedMediaType = AppError(
        .unsupportedMediaType,
        code: "unsupported_media_type",
        message: "This route takes a JSON body: send 'Content-Type: application/json'."
    )

    static func rateLimited(retryAfter seconds: Int, scope: String) -> AppError {
        AppError(
            .tooManyRequests,
            code: "rate_limited",
            message: "Too many requests from this \(scope); try again in \(seconds) s.",
            details: ["retryAfterSeconds": .number(Double(seconds)), "scope": .string(scope)]
        )
    }

    static let internalError = AppError(
        .internalServerError,
        code: "internal_error",
        message: "Something went wrong on our side."
    )
}
