import Synchronization

/// Work that needs doing once per process however many callers ask: the first call starts it, the others wait
/// for the same run; a run that fails lets the next caller try again.
final class Once: Sendable {
    private let run = Mutex<Task<Void, any Error>?>(nil)

    func perform(_ work: @escaping @Sendable () async throws -> Void) async throws {
        let task = run.withLock { current in
            if let current { return current }
            let started = Task { try await work() }
            current = started
            return started
        }
        do {
            try await task.value
        } catch {
            run.withLock { current in if current == task { current = nil } }
            throw error
        }
    }
}
