import Synchronization

/// Writes finished delivery attempts in batches: whoever records while no write is under way writes
/// everything waiting, in one transaction, while later attempts gather for the next one (group commit).
/// Each caller resumes once its own attempt is committed, so nothing is reported before it is durable.
final class AttemptRecorder: Sendable {
    private typealias Waiting = (
        attempt: (result: AttemptResult, claimed: ClaimedDelivery),
        continuation: CheckedContinuation<RecordedAttempt?, any Error>
    )

    private struct State {
        var waiting: [Waiting] = []
        var writing = false
    }

    private let store: any Store
    private let policy: DeliveryPolicy
    private let state = Mutex(State())

    init(store: any Store, policy: DeliveryPolicy) {
        self.store = store
        self.policy = policy
    }

    /// Records one attempt; answers `nil` when its delivery was deleted meanwhile.
    func record(_ result: AttemptResult, for claimed: ClaimedDelivery) async throws -> RecordedAttempt? {
        try await withCheckedThrowingContinuation { continuation in
            let leads = state.withLock { state in
                state.waiting.append(((result, claimed), continuation))
                defer { state.writing = true }
                return !state.writing
            }
            if leads { Task { await writeWhileWaiting() } }
        }
    }

    private func writeWhileWaiting() async {
        while true {
            let batch = state.withLock { state in
                defer { state.waiting = [] }
                if state.waiting.isEmpty { state.writing = false }
                return state.waiting
            }
            guard !batch.isEmpty else { return }
            do {
                let recorded = try await store.recordAttempts(batch.map(\.attempt), policy: policy)
                for (waiting, outcome) in zip(batch, recorded) { waiting.continuation.resume(returning: outcome) }
            } catch {
                for waiting in batch { waiting.continuation.resume(throwing: error) }
            }
        }
    }
}
