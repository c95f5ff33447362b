import Testing

@testable import App

/// DESIGN.md §5's retry and disable rules, decided by `DeliveryPolicy` alone.
@Suite struct DeliveryPolicyTests {
    static let policy = DeliveryPolicy(retrySchedule: RetrySchedule(delays: [60, 300, 1800]), disableAfter: 5)

    static func result(_ code: Int?, error: String? = nil, retryAfter: Int? = nil) -> AttemptResult {
        AttemptResult(
            attemptedAt: .now(),
            responseCode: code,
            latencyMs: 1,
            error: error,
            responseBody: nil,
            retryAfter: retryAfter
        )
    }

    typealias Outcome = DeliveryPolicy.Outcome

    @Test(arguments: [
        // (response, attempt, hook enabled, failures before) → outcome
        (result(200), 1, true, 3, Outcome(next: .succeeded, consecutiveFailures: 0)),
        (result(204), 3, false, 9, Outcome(next: .succeeded, consecutiveFailures: 0)),
        (result(500), 1, true, 0, Outcome(next: .retry(afterSeconds: 60), consecutiveFailures: 1)),
        (result(nil, error: "reset"), 2, true, 1, Outcome(next: .retry(afterSeconds: 300), consecutiveFailures: 2)),
        (result(302), 3, true, 2, Outcome(next: .retry(afterSeconds: 1800), consecutiveFailures: 3)),
        (result(500), 4, true, 3, Outcome(next: .failed, consecutiveFailures: 4)),
        (
            result(500), 1, true, 4,
            Outcome(next: .paused, consecutiveFailures: 5, disables: "Disabled after 5 consecutive failed attempts.")
        ),
        (
            result(410), 1, true, 0,
            Outcome(next: .paused, consecutiveFailures: 1, disables: "The target answered 410 Gone.")
        ),
        (result(500), 1, false, 7, Outcome(next: .paused, consecutiveFailures: 8)),
    ])
    func anAttemptsOutcome(result: AttemptResult, attempt: Int, enabled: Bool, failures: Int, expected: Outcome) {
        let outcome = Self.policy.outcome(
            of: result,
            attempt: attempt,
            hookEnabled: enabled,
            consecutiveFailures: failures,
            jitter: 0
        )
        #expect(outcome == expected)
    }

    @Test(arguments: [(1, 60.0), (10, 60.0), (120, 120.0), (5000, 1800.0)])
    func retryAfterIsHonouredWithinTheSchedulesBounds(retryAfter: Int, seconds: Double) {
        let outcome = Self.policy.outcome(
            of: Self.result(503, retryAfter: retryAfter),
            attempt: 1,
            hookEnabled: true,
            consecutiveFailures: 0,
            jitter: 0.2
        )
        #expect(outcome.next == .retry(afterSeconds: seconds))
    }

    @Test func retriesAreSpreadByUpToAFifthEitherWay() {
        let schedule = RetrySchedule(delays: [100])
        #expect(schedule.delay(afterAttempt: 1, jitter: -0.2) == 80)
        #expect(schedule.delay(afterAttempt: 1, jitter: 0.2) == 120)
        let drawn = (0..<200).compactMap { _ in schedule.delay(afterAttempt: 1) }
        #expect(drawn.allSatisfy { (80...120).contains($0) } && Set(drawn).count > 100)
    }

    @Test(arguments: [0, 2, 5])
    func aScheduleHasNoDelayOutsideItsAttempts(attempt: Int) {
        #expect(RetrySchedule(delays: [1]).delay(afterAttempt: attempt) == nil)
    }
}
