/// One attempt at sending a delivery, as the sender saw it.
struct AttemptResult: Sendable {
    var attemptedAt: Timestamp
    var responseCode: Int?
    var latencyMs: Double
    var error: String?
    var responseBody: String?
    /// Seconds from a `Retry-After` header on 429 or 503.
    var retryAfter: Int?

    var succeeded: Bool { error == nil && (200..<300).contains(responseCode ?? 0) }

    /// One line for `lastError`: the transport error, or the status the target answered.
    var failureDescription: String {
        if let error { return error }
        if let responseCode { return "The target answered HTTP \(responseCode)." }
        return "The attempt failed."
    }
}

/// What an attempt means for its delivery and its hook (DESIGN.md §5), decided here and nowhere else; the
/// store applies it. Tuned by `--retry-schedule` and `--disable-after`.
struct DeliveryPolicy: Sendable {
    var retrySchedule: RetrySchedule
    var disableAfter: Int

    struct Outcome: Equatable, Sendable {
        enum Next: Equatable, Sendable {
            case succeeded
            /// Pending again, due this many seconds from now.
            case retry(afterSeconds: Double)
            /// The schedule is used up.
            case failed
            /// The hook is (or has just been) disabled: this delivery and the hook's pending ones wait for it.
            case paused
        }

        var next: Next
        /// The hook's count of failed attempts in a row after this one.
        var consecutiveFailures: Int
        /// Why this attempt disables the hook; `nil` when it does not.
        var disables: String?
    }

    /// The outcome of attempt number `attempt` (1-based) at a hook that was `hookEnabled` and had failed
    /// `consecutiveFailures` times in a row before it. A success resets the count; 410 Gone disables the hook
    /// at once, `disableAfter` failures in a row disable it too; otherwise the retry schedule decides, honouring
    /// `Retry-After`.
    func outcome(
        of result: AttemptResult,
        attempt: Int,
        hookEnabled: Bool,
        consecutiveFailures: Int,
        jitter: Double = Double.random(in: -0.2...0.2)
    ) -> Outcome {
        guard !result.succeeded else { return Outcome(next: .succeeded, consecutiveFailures: 0) }
        let failures = consecutiveFailures + 1
        let disables: String? =
            if result.responseCode == 410 {
                "The target answered 410 Gone."
            } else if hookEnabled, failures >= disableAfter {
                "Disabled after \(failures) consecutive failed attempts."
            } else {
                nil
            }
        if !hookEnabled || disables != nil {
            return Outcome(next: .paused, consecutiveFailures: failures, disables: disables)
        }
        guard let delay = retrySchedule.delay(afterAttempt: attempt, retryAfter: result.retryAfter, jitter: jitter)
        else { return Outcome(next: .failed, consecutiveFailures: failures) }
        return Outcome(next: .retry(afterSeconds: delay), consecutiveFailures: failures)
    }
}
