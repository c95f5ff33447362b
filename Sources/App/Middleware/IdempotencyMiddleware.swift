import Foundation
import HTTPTypes
import Hummingbird

/// `Idempotency-Key` on POSTs (DESIGN.md §3, "Retries"): the first request with a key runs and its answer is kept
/// (any answer but a 5xx); a retry with the same key and the same request within 24 hours gets that answer again,
/// marked `Idempotent-Replayed: true`, and changes nothing. Keys belong to a `scope` — the caller, as the
/// middleware before this one resolved it — so callers never see each other's answers.
struct IdempotencyMiddleware: RouterMiddleware {
    let store: any Store
    let clock: any TimerClock
    /// The largest body a route behind it takes (read once here for the fingerprint).
    let bodyLimit: Int
    /// The caller's namespace for keys; nil when the request has no caller to scope by (then no key is honoured).
    let scope: @Sendable (AppRequestContext) -> String?

    static let replayedHeader = HTTPField.Name("Idempotent-Replayed")!
    static let keyHeader = HTTPField.Name(Idempotency.header)!

    func handle(
        _ request: Request,
        context: AppRequestContext,
        next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        guard request.method == .post, let header = request.headers[Self.keyHeader], let scope = scope(context) else {
            return try await next(request, context)
        }
        let key = try Idempotency.validKey(header)
        // Read once for the fingerprint, then handed on as a buffer the route reads again.
        var request = request
        let body = try await (request as Request).collectBody(upTo: bodyLimit)
        request.body = RequestBody(buffer: body)
        let fingerprint = Idempotency.fingerprint(method: "POST", target: request.uri.description, body: body)
        switch try await store.beginIdempotentRequest(
            scope: scope,
            key: key,
            fingerprint: fingerprint,
            now: clock.now()
        )
        {
        case .replay(let stored): return Self.response(stored, replayed: true)
        case .inProgress: throw Idempotency.inUse
        case .mismatch: throw Idempotency.reused
        case .first: break
        }
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = try ErrorMiddleware.appError(for: error, context: context).response(
                from: request,
                context: context
            )
        }
        guard response.status.code < 500 else {
            try await store.abandonIdempotentRequest(scope: scope, key: key)
            return response
        }
        let collected = try await Self.collect(response)
        try await store.finishIdempotentRequest(scope: scope, key: key, response: collected)
        return Self.response(collected, replayed: false, headers: response.headers)
    }

    /// The answer as kept: status, content type and body (the routes that take keys answer small JSON bodies).
    private static func collect(_ response: Response) async throws -> StoredResponse {
        let collector = BodyCollector()
        try await response.body.write(collector)
        return StoredResponse(
            status: response.status.code,
            contentType: response.headers[.contentType],
            body: Data(buffer: collector.buffer)
        )
    }

    private static func response(_ stored: StoredResponse, replayed: Bool, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        if let contentType = stored.contentType { headers[.contentType] = contentType }
        headers[.contentLength] = String(stored.body.count)
        if replayed { headers[replayedHeader] = "true" }
        return Response(
            status: HTTPResponse.Status(code: stored.status),
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: stored.body))
        )
    }
}

/// Gathers a response body written to it.
private final class BodyCollector: ResponseBodyWriter {
    var buffer = ByteBuffer()

    func write(_ buffer: ByteBuffer) async throws {
        self.buffer.writeImmutableBuffer(buffer)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
