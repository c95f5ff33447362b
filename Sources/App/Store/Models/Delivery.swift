import Foundation
import GRDB

enum DeliveryStatus: String, Codable, CaseIterable, Sendable, DatabaseValueConvertible {
    case pending, delivering, succeeded, failed, paused
}

/// One event on its way to one hook. Its id is the `webhook-id`, the same on every attempt.
struct Delivery: AppRecord, Listed {
    var id: String
    var hookId: String
    var event: String
    /// The JSON body, byte for byte as it is sent and signed.
    var payload: Data
    var status: DeliveryStatus
    var attemptCount: Int
    var nextAttemptAt: Timestamp
    var lastResponseCode: Int?
    var lastError: String?
    /// A conversation event's conversation and its place among that conversation's events (the payload's
    /// `sequence`): what an ordered hook waits on.
    var conversationId: String?
    var sequence: Int?
    var createdAt: Timestamp
    var updatedAt: Timestamp

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let hookId = Column(CodingKeys.hookId)
        static let event = Column(CodingKeys.event)
        static let createdAt = Column(CodingKeys.createdAt)
        static let status = Column(CodingKeys.status)
        static let nextAttemptAt = Column(CodingKeys.nextAttemptAt)
        static let updatedAt = Column(CodingKeys.updatedAt)
    }

    /// What an attempt changes.
    static let progressColumns: [Column] = [
        Column(CodingKeys.status), Column(CodingKeys.attemptCount), Column(CodingKeys.nextAttemptAt),
        Column(CodingKeys.lastResponseCode), Column(CodingKeys.lastError), Column(CodingKeys.updatedAt),
    ]
}

/// What one POST of a delivery came to.
struct DeliveryAttempt: AppRecord {
    var id: String
    var deliveryId: String
    var number: Int
    var attemptedAt: Timestamp
    var responseCode: Int?
    var latencyMs: Double
    var error: String?
    /// The first 4 KiB of the response body, as text.
    var responseBody: String?

    enum Columns {
        static let deliveryId = Column(CodingKeys.deliveryId)
        static let number = Column(CodingKeys.number)
    }
}

extension Delivery {
    /// `event` on its way to `hook`: due at once, or kept `paused` while the hook is disabled.
    static func queued(
        _ event: HookType,
        to hook: Hook,
        payload: Data,
        position: EventPosition?,
        at now: Timestamp
    ) -> Delivery {
        Delivery(
            id: newID(),
            hookId: hook.id,
            event: event.rawValue,
            payload: payload,
            status: hook.enabled ? .pending : .paused,
            attemptCount: 0,
            nextAttemptAt: now,
            lastResponseCode: nil,
            lastError: nil,
            conversationId: position?.conversationID,
            sequence: position?.sequence,
            createdAt: now,
            updatedAt: now
        )
    }

    /// Records an attempt on this delivery and its hook as `policy` decides: the delivery succeeds, is scheduled
    /// again, fails for good, or is paused with its hook, which is disabled on 410 or after too many failures.
    /// Answers the attempt's row and what the store must do besides writing the two.
    mutating func record(
        _ result: AttemptResult,
        hook: inout Hook,
        policy: DeliveryPolicy
    ) -> (attempt: DeliveryAttempt, hookChanged: Bool, pauseHooksQueue: Bool) {
        let before = hook
        let now = Timestamp.now()
        attemptCount += 1
        let attempt = DeliveryAttempt(
            id: newID(),
            deliveryId: id,
            number: attemptCount,
            attemptedAt: result.attemptedAt,
            responseCode: result.responseCode,
            latencyMs: result.latencyMs,
            error: result.error,
            responseBody: result.responseBody
        )
        lastResponseCode = result.responseCode
        lastError = result.succeeded ? nil : result.failureDescription
        updatedAt = now
        let outcome = policy.outcome(
            of: result,
            attempt: attemptCount,
            hookEnabled: hook.enabled,
            consecutiveFailures: hook.consecutiveFailures
        )
        hook.consecutiveFailures = outcome.consecutiveFailures
        if !result.succeeded { hook.lastError = result.failureDescription }
        if let reason = outcome.disables {
            hook.enabled = false
            hook.disabledReason = reason
        }
        switch outcome.next {
        case .succeeded:
            status = .succeeded
        case .retry(let seconds):
            status = .pending
            nextAttemptAt = Timestamp(millisecondsSince1970: now.millisecondsSince1970 + Int64(seconds * 1000))
        case .failed:
            status = .failed
        case .paused:
            status = .paused
        }
        let hookChanged =
            (hook.consecutiveFailures, hook.enabled, hook.lastError)
            != (before.consecutiveFailures, before.enabled, before.lastError)
        if hookChanged { hook.updatedAt = now }
        return (attempt, hookChanged, status == .paused)
    }
}

extension Delivery {
    /// 409 while the hook is disabled: recovered deliveries would only be paused again (enable it first).
    static func checkRecovery(hookEnabled: Bool) throws(AppError) {
        guard hookEnabled else { throw AppError.recoverWhileDisabled }
    }

    /// 409 unless this delivery is failed or paused and its hook enabled (enabling the hook resumes paused
    /// deliveries by itself).
    func checkRetry(hookEnabled: Bool) throws(AppError) {
        guard [.failed, .paused].contains(status) else {
            throw AppError(
                .conflict,
                code: .deliveryNotRetryable,
                message: "Only a failed or paused delivery can be retried; this one is \(status.rawValue).",
                details: ["status": .string(status.rawValue)]
            )
        }
        guard hookEnabled else {
            throw AppError(
                .conflict,
                code: .hookDisabled,
                message: "The hook is disabled: enable it (PATCH {\"enabled\": true}) and its paused deliveries resume."
            )
        }
    }
}
