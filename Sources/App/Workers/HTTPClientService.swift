import AsyncHTTPClient
import ServiceLifecycle

/// The process's outbound HTTP clients, shut down after the services that use them have stopped: `client`
/// for the targets owners choose (hooks, `url` pages), checked by the address guard, and `operatorClient` for
/// endpoints the operator configured (the LLM), which may well be on loopback.
struct HTTPClientService: Service {
    let client: HTTPClient
    let operatorClient: HTTPClient

    /// Connection pooling, no redirects (a 3xx is an answer, not a detour), no decompression, and every new
    /// connection checked by `targetGuard` against the address it reached before anything is sent on it.
    static func makeClient(targetGuard: TargetGuard) -> HTTPClient {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, decompression: .disabled)
        // Many hooks may share one host; the worker already limits attempts per hook and per workspace.
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = DeliverySlots.total
        // A refused connection fails its request at once; deliveries have their own retry schedule.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.http1_1ConnectionDebugInitializer = { targetGuard.refuseConnection($0) }
        configuration.http2ConnectionDebugInitializer = { targetGuard.refuseConnection($0) }
        configuration.dnsOverride = targetGuard.resolver.connectOverrides
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// No redirects, no decompression, and no address guard.
    static func makeOperatorClient() -> HTTPClient {
        HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: HTTPClient.Configuration(redirectConfiguration: .disallow, decompression: .disabled)
        )
    }

    func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
        try await operatorClient.shutdown()
    }
}

extension HTTPClientService: CustomStringConvertible {
    /// How service lifecycle names it in logs.
    var description: String { "HTTPClientService" }
}
