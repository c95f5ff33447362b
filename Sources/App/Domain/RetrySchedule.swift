/// When a failed delivery is tried again: the configured delays, each with ±20% jitter so that a
/// target coming back is not hit by every retry at once.
struct RetrySchedule: Sendable {
    let delays: [Int]

    /// Seconds to wait after failed attempt `attempt` (1-based), or `nil` when the schedule is used up.
    /// A `Retry-After` from the target is honoured, kept within the schedule's shortest and longest delay.
    func delay(
        afterAttempt attempt: Int,
        retryAfter: Int? = nil,
        jitter: Double = Double.random(in: -0.2...0.2)
    ) -> Double? {
        guard attempt >= 1, attempt <= delays.count else { return nil }
        if let retryAfter, let shortest = delays.min(), let longest = delays.max() {
            return Double(min(max(retryAfter, shortest), longest))
        }
        return Double(delays[attempt - 1]) * (1 + jitter)
    }
}
