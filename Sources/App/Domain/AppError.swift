import Foundation
import Hummingbird

/// The one error type the API answers with: every failure becomes
/// `{"error": {"code", "message", "details"}}` with a deliberate status (DESIGN.md §8).
struct AppError: Error, HTTPResponseError, Sendable {
    /// Every error code the API answers with: the catalogue `Public/openapi.yaml`'s `Error.code` lists.
    enum Code: String, CaseIterable, Encodable, Sendable {
        case alreadyAssigned = "already_assigned"
        case alreadyRated = "already_rated"
        case badRequest = "bad_request"
        case conversationNotActive = "conversation_not_active"
        case conversationNotResolved = "conversation_not_resolved"
        case databaseUnavailable = "database_unavailable"
        case deliveryNotRetryable = "delivery_not_retryable"
        case escalationUnavailable = "escalation_unavailable"
        case forbidden = "forbidden"
        case hookDisabled = "hook_disabled"
        case hookHasNoTarget = "hook_has_no_target"
        case idempotencyKeyInUse = "idempotency_key_in_use"
        case idempotencyKeyReused = "idempotency_key_reused"
        case internalError = "internal_error"
        case invalidField = "invalid_field"
        case invalidParameter = "invalid_parameter"
        case invalidTransition = "invalid_transition"
        case keyLimit = "key_limit"
        case lastKey = "last_key"
        case malformedJson = "malformed_json"
        case methodNotAllowed = "method_not_allowed"
        case notClaimingAgent = "not_claiming_agent"
        case notFound = "not_found"
        case notReady = "not_ready"
        case payloadTooLarge = "payload_too_large"
        case rateLimited = "rate_limited"
        case tooManyStreams = "too_many_streams"
        case unauthenticated = "unauthenticated"
        case unreadableFile = "unreadable_file"
        case unsupportedMediaType = "unsupported_media_type"
        case wrongDataSourceType = "wrong_data_source_type"
    }

    let status: HTTPResponse.Status
    let code: Code
    let message: String
    let details: [String: JSONValue]?

    init(_ status: HTTPResponse.Status, code: Code, message: String, details: [String: JSONValue]? = nil) {
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
            let code: Code
            let message: String
            let details: [String: JSONValue]?
        }
        let error: Payload
    }
}

extension AppError {
    static func malformedJSON(_ message: String) -> AppError {
        AppError(.badRequest, code: .malformedJson, message: message)
    }

    static func invalidParameter(_ name: String, _ message: String) -> AppError {
        AppError(.badRequest, code: .invalidParameter, message: message, details: ["parameter": .string(name)])
    }

    static func invalidField(_ field: String, _ message: String) -> AppError {
        AppError(.unprocessableContent, code: .invalidField, message: message, details: ["field": .string(field)])
    }

    static let unauthenticated = AppError(
        .unauthorized,
        code: .unauthenticated,
        message: "A valid credential is required: send 'Authorization: Bearer <key>'."
    )

    static func forbidden(_ message: String) -> AppError {
        AppError(.forbidden, code: .forbidden, message: message)
    }

    static func notFound(_ what: String) -> AppError {
        AppError(.notFound, code: .notFound, message: "\(what) was not found.")
    }

    static let routeNotFound = AppError(.notFound, code: .notFound, message: "No such route.")

    static func payloadTooLarge(limit: Int) -> AppError {
        AppError(
            .contentTooLarge,
            code: .payloadTooLarge,
            message: "The request body is larger than the limit of \(limit) bytes.",
            details: ["limitBytes": .number(Double(limit))]
        )
    }

    static let unsupportedMediaType = AppError(
        .unsupportedMediaType,
        code: .unsupportedMediaType,
        message: "This route takes a JSON body: send 'Content-Type: application/json'."
    )

    static func rateLimited(retryAfter seconds: Int, scope: String) -> AppError {
        AppError(
            .tooManyRequests,
            code: .rateLimited,
            message: "Too many requests from this \(scope); try again in \(seconds) s.",
            details: ["retryAfterSeconds": .number(Double(seconds)), "scope": .string(scope)]
        )
    }

    /// The database cannot be reached for now (a restart, a network cut).
    static let databaseUnavailable = AppError(
        .serviceUnavailable,
        code: .databaseUnavailable,
        message: "The database is unavailable for a moment. Try again shortly."
    )

    static let internalError = AppError(
        .internalServerError,
        code: .internalError,
        message: "Something went wrong on our side."
    )

    static let methodNotAllowed = AppError(
        .methodNotAllowed,
        code: .methodNotAllowed,
        message: "This route does not take that method."
    )

    // MARK: Hooks

    static let targetNotTaken = AppError.invalidField(
        "targetUrl",
        "A sync.trigger hook has no targetUrl: it is called, it does not call."
    )

    static let dataSourceRequired = AppError.invalidField(
        "dataSourceId",
        "dataSourceId is required for a sync.trigger hook."
    )

    static let deliverySettingsNotTaken = AppError.invalidField(
        "type",
        "A sync.trigger hook sends nothing: it takes no ordering, maxPerSecond or headers."
    )
    static let dataSourceNotTaken = AppError.invalidField("dataSourceId", "Only sync hooks take a dataSourceId.")

    // MARK: Conversations

    static func escalationUnavailable(_ reason: String) -> AppError {
        AppError(.conflict, code: .escalationUnavailable, message: reason, details: ["reason": .string(reason)])
    }

    static let recoverWhileDisabled = AppError(
        .conflict,
        code: .hookDisabled,
        message: "The hook is disabled: enable it (PATCH {\"enabled\": true}), then recover its failed deliveries."
    )

    static let notClaimingAgent = AppError(
        .forbidden,
        code: .notClaimingAgent,
        message: "Only the agent who claimed this conversation can do that."
    )

    /// The same error with another message and more details.
    func adding(message: String, details more: [String: JSONValue]) -> AppError {
        AppError(
            status,
            code: code,
            message: "\(self.message) \(message)",
            details: (details ?? [:]).merging(more) { $1 }
        )
    }
}
