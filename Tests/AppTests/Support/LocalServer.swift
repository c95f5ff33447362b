import Hummingbird
import Logging

/// Runs `router` on 127.0.0.1 at a free port while `body` runs, passing it the server's base URL.
func withLocalServer<Value: Sendable>(
    _ router: Router<BasicRequestContext>,
    _ body: @Sendable (String) async throws -> Value
) async throws -> Value {
    let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
    var logger = Logger(label: "local-server")
    logger.logLevel = .critical
    let app = Application(
        router: router,
        configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { portContinuation.yield($0.localAddress!.port!) },
        logger: logger
    )
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await app.runService(gracefulShutdownSignals: []) }
        var ports = portStream.makeAsyncIterator()
        guard let port = await ports.next() else { throw CancellationError() }
        defer { group.cancelAll() }
        return try await body("http://127.0.0.1:\(port)")
    }
}
