import AsyncHTTPClient
import ServiceLifecycle

/// The process's one outbound HTTP client, shut down after the services that use it have stopped.
struct HTTPClientService: Service {
    let client: HTTPClient

    /// Connection pooling, no redirects (a 3xx is an answer, not a detour), no decompression.
    static func makeClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, decompression: .disabled)
        // Many hooks may share one host; the worker already limits attempts per hook.
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = DeliveryWorker.maxInFlight
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}

extension HTTPClientService: CustomStringConvertible {
    /// How service lifecycle names it in logs.
    var description: String { "HTTPClientService" }
}
