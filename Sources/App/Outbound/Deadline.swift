/// Runs `operation` and cancels it at `deadline`, throwing `DeadlineExceeded`.
///
/// Every outbound request runs under one: AsyncHTTPClient's own deadline ends when the response headers
/// arrive, so a target that then trickles its body one byte a second would hold a delivery slot or a sync
/// for as long as it liked. Cancelling the task cancels the request and closes its connection.
func withDeadline<Value: Sendable>(
    _ deadline: ContinuousClock.Instant,
    _ operation: @escaping @Sendable () async throws -> Value
) async throws -> Value {
    try await withThrowingTaskGroup(of: Value?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(until: deadline)
            return nil
        }
        defer { group.cancelAll() }
        guard let value = try await group.next()! else { throw DeadlineExceeded() }
        return value
    }
}

/// An outbound request did not finish — connect, headers and whole body — within its time.
struct DeadlineExceeded: Error {}
