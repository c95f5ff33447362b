import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// The bench's own hook target on 127.0.0.1: `POST /fast` answers 204 at once and records how long after its
/// transition each hook arrived (the payload's `timestamp`, written when the transition committed);
/// `POST /never` never answers, holding its connection until the server's delivery timeout.
final class HookReceiver: Sendable {
    private struct State {
        var latencies = Latencies()
        var received = 0
        var ids = Set<String>()
        var lastArrival: ContinuousClock.Instant?
    }

    private let state = Mutex(State())

    var received: Int { state.withLock { $0.received } }
    var distinctDeliveries: Int { state.withLock { $0.ids.count } }
    var lastArrival: ContinuousClock.Instant? { state.withLock { $0.lastArrival } }

    /// The hook latencies recorded since the last call, and a fresh start.
    func takeLatencies() -> Latencies {
        state.withLock { state in
            defer { state.latencies = Latencies() }
            return state.latencies
        }
    }

    /// Waits until `count` hooks have arrived in all, or `timeout` passes; answers how many did.
    func waitFor(_ count: Int, timeout: Duration) async -> Int {
        let deadline = ContinuousClock.now + timeout
        while received < count, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        return received
    }

    /// Runs `body` while listening; passes the base URL.
    func run<Value: Sendable>(_ body: @Sendable (String) async throws -> Value) async throws -> Value {
        let router = Router()
        let timestamp = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        router.post("fast") { request, _ -> HTTPResponse.Status in
            let arrived = Date()
            let buffer = try await request.body.collect(upTo: 1 << 20)
            let id = request.headers.first { $0.name.canonicalName == "webhook-id" }?.value ?? ""
            let sentAt = (try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any])
                .flatMap { $0["timestamp"] as? String }
                .flatMap { try? timestamp.parse($0) }
            self.state.withLock { state in
                state.received += 1
                state.ids.insert(id)
                state.lastArrival = .now
                if let sentAt { state.latencies.record(microseconds: arrived.timeIntervalSince(sentAt) * 1e6) }
            }
            return .noContent
        }
        router.post("never") { _, _ -> HTTPResponse.Status in
            try await Task.sleep(for: .seconds(3600))
            return .noContent
        }
        return try await withLocalServer(router, body)
    }
}
