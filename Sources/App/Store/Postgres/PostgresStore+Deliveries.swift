import Foundation
import PostgresNIO

extension PostgresStore {
    // MARK: The outbox

    /// Writes, inside the caller's transaction, one delivery of `event` per hook of the bot that listens to it
    /// (for sync events, hooks without a data-source filter or with this one), and tells every instance's worker
    /// when the transaction commits (NOTIFY is sent at commit, and not at all on rollback).
    func enqueueDeliveries(
        event: HookType,
        botID: String,
        dataSourceID: String? = nil,
        payload: @autoclosure () throws -> Data,
        _ connection: PostgresConnection
    ) async throws {
        let matching = try await connection.all(
            Hook.self,
            """
            SELECT * FROM hook WHERE botId = \(botID) AND type = \(event)
              AND (\(dataSourceID)::text IS NULL OR dataSourceId IS NULL OR dataSourceId = \(dataSourceID))
            """
        )
        guard !matching.isEmpty else { return }
        let payload = try payload()
        let now = Timestamp.now()
        var anyDue = false
        for hook in matching {
            let delivery = Delivery.queued(event, to: hook, payload: payload, at: now)
            try await connection.insert(delivery)
            anyDue = anyDue || delivery.status == .pending
        }
        if anyDue { try await Self.notify(.deliveries, connection) }
    }

    // MARK: The worker's side

    /// Only deliveries whose lease has run out: the others belong to instances still running.
    func requeueInterruptedDeliveries() async throws -> Int {
        try await write { connection in try await Self.requeueExpiredLeases(connection) }
    }

    private static func requeueExpiredLeases(_ connection: PostgresConnection) async throws -> Int {
        try await connection.run(
            """
            UPDATE delivery SET status = 'pending', leaseExpiresAt = NULL
            WHERE status = 'delivering' AND COALESCE(leaseExpiresAt, 0) <= \(Timestamp.now())
            """
        )
    }

    /// Claims are serialized by an advisory lock, so the attempts in flight it counts (every instance's) stay true
    /// while it chooses; the chosen rows are locked `FOR UPDATE SKIP LOCKED`, passing over any another transaction
    /// (a retry, a hook being enabled) holds. Each claimed delivery is leased: if its instance dies, the next claim
    /// after the lease queues it again, with its id.
    func claimDueDeliveries(
        slots currentSlots: @escaping @Sendable () -> DeliverySlots
    ) async throws
        -> [ClaimedDelivery]
    {
        guard currentSlots().free > 0 else { return [] }
        return try await write { connection in
            try await connection.run("SELECT pg_advisory_xact_lock(\(Self.claimLock))")
            try await Self.requeueExpiredLeases(connection)
            let now = Timestamp.now()
            var inFlight: [(hookID: String, workspaceID: String)] = []
            let rows = try await connection.query(
                """
                SELECT delivery.hookId, hook.workspaceId FROM delivery JOIN hook ON hook.id = delivery.hookId
                WHERE delivery.status = 'delivering'
                """,
                logger: PostgresConnection.quiet
            )
            for try await (hookID, workspaceID) in rows.decode((String, String).self) {
                inFlight.append((hookID, workspaceID))
            }
            var claim = DeliveryClaim(slots: DeliverySlots(inFlight: inFlight, free: currentSlots().free))
            let candidates = try await connection.query(
                """
                SELECT delivery.id, delivery.hookId, hook.workspaceId, hook.enabled
                FROM delivery JOIN hook ON hook.id = delivery.hookId
                WHERE delivery.status = 'pending' AND delivery.nextAttemptAt <= \(now)
                  AND delivery.hookId <> ALL(\(claim.slots.busyHooks))
                  AND hook.workspaceId <> ALL(\(claim.slots.busyWorkspaces))
                ORDER BY delivery.nextAttemptAt
                LIMIT \(claim.slots.free * 4)
                FOR UPDATE OF delivery SKIP LOCKED
                """,
                logger: PostgresConnection.quiet
            )
            for try await (id, hookID, workspaceID, enabled) in candidates.decode((String, String, String, Bool).self)
            where claim.wantsMore {
                claim.consider(deliveryID: id, hookID: hookID, workspaceID: workspaceID, hookEnabled: enabled)
            }
            if !claim.paused.isEmpty {
                try await connection.run(
                    "UPDATE delivery SET status = 'paused', updatedAt = \(now) WHERE id = ANY(\(claim.paused))"
                )
            }
            guard !claim.chosen.isEmpty else { return [] }
            let leaseExpiresAt = Timestamp(
                millisecondsSince1970: now.millisecondsSince1970 + lease.nanoseconds / 1_000_000
            )
            let deliveries = try await connection.all(
                Delivery.self,
                """
                UPDATE delivery SET status = 'delivering', updatedAt = \(now), leaseExpiresAt = \(leaseExpiresAt)
                WHERE id = ANY(\(claim.chosen)) RETURNING *
                """
            )
            let hookIDs = Array(Set(deliveries.map(\.hookId)))
            let hooks = try await connection.all(Hook.self, "SELECT * FROM hook WHERE id = ANY(\(hookIDs))")
            let hooksByID = Dictionary(uniqueKeysWithValues: hooks.map { ($0.id, $0) })
            return deliveries.sorted { $0.nextAttemptAt < $1.nextAttemptAt }.compactMap { delivery in
                hooksByID[delivery.hookId].map { ClaimedDelivery(delivery: delivery, hook: $0) }
            }
        }
    }

    func pendingDeliveryCount() async throws -> Int {
        try await read { connection in
            try await connection.value(Int.self, "SELECT COUNT(*) FROM delivery WHERE status = 'pending'") ?? 0
        }
    }

    /// Also when the first lease of another instance's attempts runs out: that delivery is then due again here.
    func nextDueTime(slots: DeliverySlots) async throws -> Timestamp? {
        try await read { connection in
            try await connection.value(
                Timestamp.self,
                """
                SELECT LEAST(
                  (SELECT MIN(delivery.nextAttemptAt) FROM delivery JOIN hook ON hook.id = delivery.hookId
                   WHERE delivery.status = 'pending' AND delivery.hookId <> ALL(\(slots.busyHooks))
                     AND hook.workspaceId <> ALL(\(slots.busyWorkspaces))),
                  (SELECT MIN(leaseExpiresAt) FROM delivery WHERE status = 'delivering'))
                """
            )
        }
    }

    /// A whole batch in a few statements: the hooks locked and read once (in id order, so two instances' batches
    /// never wait on each other in a circle), each attempt decided in order by the model's rules, then the attempts
    /// inserted, the deliveries updated, queues paused and hooks written, each in one statement.
    func recordAttempts(
        _ attempts: [(result: AttemptResult, claimed: ClaimedDelivery)],
        policy: DeliveryPolicy
    ) async throws -> [RecordedAttempt?] {
        try await write { connection in
            let hookIDs = Array(Set(attempts.map(\.claimed.hook.id))).sorted()
            var hooks = Dictionary(
                uniqueKeysWithValues: try await connection.all(
                    Hook.self,
                    "SELECT * FROM hook WHERE id = ANY(\(hookIDs)) ORDER BY id FOR UPDATE"
                ).map { ($0.id, $0) }
            )
            var recorded: [RecordedAttempt?] = []
            var written: [Delivery] = []
            var newAttempts: [DeliveryAttempt] = []
            var pausedQueues: Set<String> = []
            var changedHooks: Set<String> = []
            for (result, claimed) in attempts {
                guard var hook = hooks[claimed.hook.id] else {
                    recorded.append(nil)  // deleted with its hook while in flight
                    continue
                }
                var delivery = claimed.delivery
                let wasEnabled = hook.enabled
                let change = delivery.record(result, hook: &hook, policy: policy)
                newAttempts.append(change.attempt)
                if change.pauseHooksQueue { pausedQueues.insert(hook.id) }
                if change.hookChanged { changedHooks.insert(hook.id) }
                hooks[hook.id] = hook
                written.append(delivery)
                recorded.append(RecordedAttempt(delivery: delivery, disabledHook: wasEnabled && !hook.enabled))
            }
            try await connection.insert(newAttempts)
            try await Self.update(written, connection)
            if !pausedQueues.isEmpty {
                try await connection.run(
                    """
                    UPDATE delivery SET status = 'paused'
                    WHERE hookId = ANY(\(Array(pausedQueues))) AND status = 'pending'
                    """
                )
            }
            for id in changedHooks.sorted() { try await connection.update(hooks[id]!) }
            if written.contains(where: { $0.status == .pending }) { try await Self.notify(.deliveries, connection) }
            return recorded
        }
    }

    /// Writes the outcome of attempts back to their deliveries, ending their leases, in one statement.
    private static func update(_ deliveries: [Delivery], _ connection: PostgresConnection) async throws {
        guard !deliveries.isEmpty else { return }
        var binds = PostgresBindings()
        var rows: [String] = []
        for delivery in deliveries {
            let first = binds.count
            binds.append(delivery.id)
            try binds.append(delivery.status)
            binds.append(Int64(delivery.attemptCount))
            try binds.append(delivery.nextAttemptAt)
            if let code = delivery.lastResponseCode { binds.append(Int64(code)) } else { binds.appendNull() }
            if let error = delivery.lastError { binds.append(error) } else { binds.appendNull() }
            try binds.append(delivery.updatedAt)
            rows.append(
                "($\(first + 1)::text, $\(first + 2)::text, $\(first + 3)::bigint, $\(first + 4)::bigint, "
                    + "$\(first + 5)::bigint, $\(first + 6)::text, $\(first + 7)::bigint)"
            )
        }
        try await connection.run(
            PostgresQuery(
                unsafeSQL: """
                    UPDATE delivery SET status = outcome.status, attemptCount = outcome.attemptCount,
                      nextAttemptAt = outcome.nextAttemptAt, lastResponseCode = outcome.lastResponseCode,
                      lastError = outcome.lastError, updatedAt = outcome.updatedAt, leaseExpiresAt = NULL
                    FROM (VALUES \(rows.joined(separator: ", ")))
                      AS outcome(id, status, attemptCount, nextAttemptAt, lastResponseCode, lastError, updatedAt)
                    WHERE delivery.id = outcome.id
                    """,
                binds: binds
            )
        )
    }

    // MARK: The delivery log

    func deliveries(
        hookID: String,
        botID: String,
        workspaceID: String,
        status: DeliveryStatus?,
        page: PageRequest
    ) async throws -> Page<Delivery> {
        try await read { connection in
            _ = try await Self.hook(id: hookID, botID: botID, workspaceID: workspaceID, connection)
            return try await Self.page(
                Delivery.self,
                from: "delivery",
                where: "hookId = \(hookID) AND (\(status)::text IS NULL OR status = \(status))",
                page,
                connection
            )
        }
    }

    func delivery(
        id: String,
        hookID: String,
        botID: String,
        workspaceID: String
    ) async throws
        -> (Delivery, [DeliveryAttempt])
    {
        try await read { connection in
            _ = try await Self.hook(id: hookID, botID: botID, workspaceID: workspaceID, connection)
            return try await Self.deliveryWithAttempts(id: id, hookID: hookID, connection)
        }
    }

    func retryDelivery(
        id: String,
        hookID: String,
        botID: String,
        workspaceID: String
    ) async throws
        -> (Delivery, [DeliveryAttempt])
    {
        try await write { connection in
            let hook = try await Self.hook(id: hookID, botID: botID, workspaceID: workspaceID, connection)
            var (delivery, attempts) = try await Self.deliveryWithAttempts(
                id: id,
                hookID: hookID,
                lock: true,
                connection
            )
            try delivery.checkRetry(hookEnabled: hook.enabled)
            delivery.status = .pending
            delivery.nextAttemptAt = .now()
            delivery.updatedAt = .now()
            try await connection.run(
                """
                UPDATE delivery SET status = 'pending', nextAttemptAt = \(delivery.nextAttemptAt),
                  updatedAt = \(delivery.updatedAt) WHERE id = \(id)
                """
            )
            try await Self.notify(.deliveries, connection)
            return (delivery, attempts)
        }
    }

    private static func deliveryWithAttempts(
        id: String,
        hookID: String,
        lock: Bool = false,
        _ connection: PostgresConnection
    ) async throws -> (Delivery, [DeliveryAttempt]) {
        var query: PostgresQuery = "SELECT * FROM delivery WHERE hookId = \(hookID) AND id = \(id)"
        if lock { query.sql += " FOR UPDATE" }
        guard let delivery = try await connection.one(Delivery.self, query) else {
            throw AppError.notFound("Delivery")
        }
        let attempts = try await connection.all(
            DeliveryAttempt.self,
            "SELECT * FROM deliveryAttempt WHERE deliveryId = \(id) ORDER BY number"
        )
        return (delivery, attempts)
    }

    /// The advisory lock key delivery claims take.
    static let claimLock: Int64 = 0x5357_434c_4149  // "SWCLAI"
}
