import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// JSON requests to the server under measurement, with the owner key unless another credential is given.
struct BenchClient: Sendable {
    let client: HTTPClient
    /// The instances: requests go to each in turn, as a load balancer would send them.
    let bases: [String]
    let key: String
    private let turn = Turn()

    init(client: HTTPClient, bases: [String], key: String) {
        self.client = client
        self.bases = bases
        self.key = key
    }

    private var base: String { bases[turn.next() % bases.count] }

    /// A client whose pool holds `connections` connections to the server, one per concurrent caller.
    static func make(connections: Int) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = connections
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Sends a request with `token` (the owner key by default) and answers its JSON object; a status outside
    /// 2xx throws.
    @discardableResult
    func send(
        _ method: HTTPMethod,
        _ path: String,
        _ body: String? = nil,
        token: String? = nil
    ) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        let credential = token ?? key  // "" sends none, as the chat widget's start does
        if !credential.isEmpty { request.headers.add(name: "Authorization", value: "Bearer \(credential)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: .seconds(600))
        let data = try await response.body.collect(upTo: 64 << 20)
        guard (200..<300).contains(response.status.code) else {
            throw ValidationError("\(method) \(path): \(response.status.code) \(String(buffer: data))")
        }
        return (try? JSONSerialization.jsonObject(with: Data(data.readableBytesView)) as? [String: Any]) ?? [:]
    }

    /// A `GET` whose body is dropped, for the trivial route.
    func get(_ path: String) async throws {
        let response = try await client.execute(HTTPClientRequest(url: base + path), timeout: .seconds(60))
        _ = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else { throw ValidationError("GET \(path): \(response.status.code)") }
    }

    /// Whose turn it is next.
    private final class Turn: Sendable {
        private let count = Atomic(0)
        func next() -> Int { count.add(1, ordering: .relaxed).oldValue }
    }

    static func json(_ text: String) -> String {
        String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
    }
}
