import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A client of the live app on its own loopback address (127.0.0.2, 127.0.0.3, …), as separate clients would
/// be seen: what the rate limits key on.
struct LoopbackClient: Sendable {
    let address: String

    struct Response: Sendable {
        let status: Int
        let retryAfter: String?
        let body: String

        var errorCode: String? {
            let error = (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["error"]
            return (error as? [String: Any])?["code"] as? String
        }
    }

    func get(_ url: String) async throws -> Response { try await send(.GET, url, json: nil) }

    func post(_ url: String, json: String) async throws -> Response { try await send(.POST, url, json: json) }

    private func send(_ method: HTTPMethod, _ url: String, json: String?) async throws -> Response {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.localAddress = address
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return Response(
            status: Int(response.status.code),
            retryAfter: response.headers.first(name: "Retry-After"),
            body: String(buffer: body)
        )
    }
}
