import Foundation
import PostgresNIO

extension PostgresStore {
    // MARK: The outbox

    /// Writes, at the end of the caller's transaction, what `outbox` gathered: one delivery of each event per hook
    /// of its bot that listens to it (for sync events, hooks without a data-source filter or with this one), and
    /// the notifications that wake every instance's worker and tell them about the conversation change. Two
    /// statements at most, however many events: on a busy database each round trip counts. Notifications are
    /// sent when the transaction commits, and not at all on rollback.
    func send(_ outbox: Outbox, _ connection: PostgresConnection) async throws {
        try await send(outbox, after: [], PostgresBindings(), connection)
    }

    /// `send(_:_:)` with `writes` (statements whose values are in `binds`) in the same statement as the deliveries
    /// and notifications: alone, that statement needs no transaction around it.
    func send(
        _ outbox: Outbox,
        after writes: [String],
        _ binds: PostgresBindings,
        _ connection: PostgresConnection
    ) async throws {
        var writes = writes
        var binds = binds
        let deliveries = try await deliveries(of: outbox, connection)
        if !deliveries.isEmpty { writes.append(try PostgresConnection.insertion(of: deliveries, binding: &binds)) }
        var notifications: [(channel: Channel, payload: String)] = []
        if deliveries.contains(where: { $0.status == .pending }) { notifications.append((.deliveries, "")) }
        if let change = outbox.change { notifications.append((.conversations, try announcement(of: change))) }
        if writes.isEmpty {
            guard !notifications.isEmpty else { return }
            _ = try await connection.all(NotifyStatement(notifications))
            return
        }
        // The writes run as CTEs (each runs once, whether or not the query reads it); the notifications end it.
        let notify = NotifyStatement(notifications)
        binds.append(notify.channels)
        binds.append(notify.payloads)
        let ctes = writes.enumerated().map { "write\($0) AS (\($1))" }.joined(separator: ", ")
        try await connection.run(
            PostgresQuery(
                unsafeSQL: "WITH \(ctes) \(NotifyStatement.text(bindingFrom: binds.count - 1))",
                binds: binds
            )
        )
    }

    /// One delivery of each of `outbox`'s events per hook that listens to it, read in one statement.
    private func deliveries(of outbox: Outbox, _ connection: PostgresConnection) async throws -> [Delivery] {
        guard !outbox.events.isEmpty else { return [] }
        let hooks = try await connection.all(
            ListeningHooksStatement(
                botIDs: Array(Set(outbox.events.map(\.botID))),
                types: Array(Set(outbox.events.map(\.type.rawValue)))
            )
        )
        let now = Timestamp.now()
        var deliveries: [Delivery] = []
        for event in outbox.events {
            let listening = hooks.filter {
                $0.botId == event.botID && $0.type == event.type
                    && ($0.dataSourceId == nil || $0.dataSourceId == event.dataSourceID)
            }
            // Encoded only when some hook wants it: most messages go to no hook at all.
            guard !listening.isEmpty else { continue }
            let payload = try event.payload()
            deliveries += listening.map {
                Delivery.queued(event.type, to: $0, payload: payload, position: event.position, at: now)
            }
        }
        return deliveries
    }

    /// Queues the deliveries of one event, in the caller's transaction.
    func enqueueDeliveries(
        event: HookType,
        botID: String,
        dataSourceID: String? = nil,
        payload: @escaping () throws -> Data,
        _ connection: PostgresConnection
    ) async throws {
        var outbox = Outbox()
        outbox.fire(event, botID: botID, dataSourceID: dataSourceID, payload: payload)
        try await send(outbox, connection)
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
    /// while it chooses. Candidates are read without locks (most are passed over); only the chosen rows are then
    /// taken, `FOR UPDATE SKIP LOCKED` and still pending, passing over any another transaction (a retry, a hook
    /// being enabled) holds. Each claimed delivery is leased: if its instance dies, a claim after the lease
    /// queues it again, with its id.
    func claimDueDeliveries(
        slots currentSlots: @escaping @Sendable () -> DeliverySlots
    ) async throws
        -> [ClaimedDelivery]
    {
        guard currentSlots().free > 0 else { return [] }
        return try await write { connection in
            try await connection.run("SELECT pg_advisory_xact_lock(\(Self.claimLock))")
            let now = Timestamp.now()
            var inFlight: [(hookID: String, workspaceID: String)] = []
            var paces: [DeliveryPace] = []
            var leaseExpired = false
            let rows = try await connection.execute(InFlightStatement(), logger: PostgresConnection.quiet)
            for try await (hookID, workspaceID, time, maxPerSecond) in rows {
                if let maxPerSecond {
                    paces.append(DeliveryPace(hookID: hookID, maxPerSecond: maxPerSecond, nextStart: time))
                } else if let workspaceID, (time.map(Timestamp.init(millisecondsSince1970:)) ?? now) > now {
                    inFlight.append((hookID, workspaceID))
                } else {
                    leaseExpired = true
                }
            }
            if leaseExpired { _ = try await Self.requeueExpiredLeases(connection) }
            var claim = DeliveryClaim(
                slots: DeliverySlots(inFlight: inFlight, free: currentSlots().free),
                paces: paces,
                now: now
            )
            let candidates = try await connection.execute(
                ClaimCandidatesStatement(
                    now: now,
                    busyHooks: claim.slots.busyHooks + claim.bookedOutHooks,
                    busyWorkspaces: claim.slots.busyWorkspaces,
                    limit: claim.readLimit
                ),
                logger: PostgresConnection.quiet
            )
            for try await (id, hookID, workspaceID, enabled) in candidates
            where claim.wantsMore {
                claim.consider(deliveryID: id, hookID: hookID, workspaceID: workspaceID, hookEnabled: enabled)
            }
            if !claim.paused.isEmpty {
                try await connection.run(
                    """
                    UPDATE delivery SET status = 'paused', updatedAt = \(now)
                    WHERE id = ANY(\(claim.paused)) AND status = 'pending'
                    """
                )
            }
            guard !claim.chosen.isEmpty else { return [] }
            if !claim.bookedHooks.isEmpty {
                let paces = claim.bookedHooks.compactMap { claim.paces[$0] }
                try await connection.run(
                    """
                    UPDATE hook SET paceNextAt = booked.nextStart
                    FROM unnest(\(paces.map(\.hookID))::text[], \(paces.map(\.nextStart))::bigint[]) AS booked(id, nextStart)
                    WHERE hook.id = booked.id
                    """
                )
            }
            let leaseExpiresAt = Timestamp(
                millisecondsSince1970: now.millisecondsSince1970 + lease.nanoseconds / 1_000_000
            )
            let deliveries = try await connection.all(
                ClaimStatement(now: now, leaseExpiresAt: leaseExpiresAt, chosen: claim.chosen)
            )
            guard !deliveries.isEmpty else { return [] }
            let hookIDs = Array(Set(deliveries.map(\.hookId)))
            let hooks = try await connection.all(HooksStatement(ids: hookIDs))
            let hooksByID = Dictionary(uniqueKeysWithValues: hooks.map { ($0.id, $0) })
            return deliveries.sorted { $0.nextAttemptAt < $1.nextAttemptAt }.compactMap { delivery in
                hooksByID[delivery.hookId].map {
                    ClaimedDelivery(delivery: delivery, hook: $0, startsAt: claim.startsAt[delivery.id])
                }
            }
        }
    }

    /// The schedules of the paced hooks that have deliveries queued, for the next due time (claims read them with
    /// the attempts in flight, under the claim lock).
    private static func paces(_ connection: PostgresConnection) async throws -> [DeliveryPace] {
        var paces: [DeliveryPace] = []
        let rows = try await connection.query(
            """
            SELECT id, maxPerSecond, paceNextAt FROM hook
            WHERE maxPerSecond IS NOT NULL
              AND EXISTS (SELECT 1 FROM delivery WHERE hookId = hook.id AND status = 'pending')
            """,
            logger: PostgresConnection.quiet
        )
        for try await (id, maxPerSecond, nextStart) in rows.decode((String, Int, Int64?).self) {
            paces.append(DeliveryPace(hookID: id, maxPerSecond: maxPerSecond, nextStart: nextStart))
        }
        return paces
    }

    func pendingDeliveryCount() async throws -> Int {
        try await read { connection in
            try await connection.value(Int.self, "SELECT COUNT(*) FROM delivery WHERE status = 'pending'") ?? 0
        }
    }

    /// Also when the first lease of another instance's attempts runs out (that delivery is then due again here),
    /// and when a booked-out paced hook may take its next attempt.
    func nextDueTime(slots: DeliverySlots) async throws -> Timestamp? {
        try await read { connection in
            let now = Timestamp.now().millisecondsSince1970 * 1000
            let bookedOut = try await Self.paces(connection).filter { $0.isBookedOut(now: now) }
            let due = try await connection.value(
                Timestamp.self,
                """
                SELECT LEAST(
                  (SELECT delivery.nextAttemptAt FROM delivery JOIN hook ON hook.id = delivery.hookId
                   WHERE delivery.status = 'pending' AND delivery.hookId <> ALL(\(slots.busyHooks + bookedOut.map(\.hookID)))
                     AND hook.workspaceId <> ALL(\(slots.busyWorkspaces))
                     AND (hook.ordering <> 'conversation' OR NOT EXISTS (
                       SELECT 1 FROM delivery AS earlier
                       WHERE earlier.hookId = delivery.hookId AND earlier.conversationId = delivery.conversationId
                         AND earlier.sequence < delivery.sequence
                         AND earlier.status IN ('pending', 'delivering', 'paused')))
                   ORDER BY delivery.nextAttemptAt LIMIT 1),
                  (SELECT MIN(leaseExpiresAt) FROM delivery WHERE status = 'delivering'))
                """
            )
            let paced = bookedOut.map { Timestamp(millisecondsSince1970: $0.freesAt / 1000) }.min()
            return [due, paced].compactMap { $0 }.min()
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
                uniqueKeysWithValues: try await connection.all(LockedHooksStatement(ids: hookIDs)).map { ($0.id, $0) }
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
            _ = try await connection.all(try RecordAttemptsStatement(attempts: newAttempts, deliveries: written))
            if !pausedQueues.isEmpty {
                try await connection.run(
                    """
                    UPDATE delivery SET status = 'paused'
                    WHERE hookId = ANY(\(Array(pausedQueues))) AND status = 'pending'
                    """
                )
            }
            for id in changedHooks.sorted() { try await connection.update(hooks[id]!) }
            // A finished delivery of an ordered hook lets the next event of its conversation go, on any instance.
            let unblocks = written.contains {
                $0.conversationId != nil && $0.status != .delivering && hooks[$0.hookId]?.ordering == .conversation
            }
            if unblocks || written.contains(where: { $0.status == .pending }) {
                try await Self.notify(.deliveries, connection)
            }
            return recorded
        }
    }

    // MARK: The delivery log

    func deliveries(
        hookID: String,
        botID: String,
        workspaceID: String,
        filter: DeliveryFilter,
        page: PageRequest
    ) async throws -> Page<Delivery> {
        try await read { connection in
            _ = try await Self.hook(id: hookID, botID: botID, workspaceID: workspaceID, connection)
            return try await Self.page(
                Delivery.self,
                from: "delivery",
                where: """
                    hookId = \(hookID) AND (\(filter.status)::text IS NULL OR status = \(filter.status))
                    AND (\(filter.event)::text IS NULL OR event = \(filter.event))
                    AND (\(filter.since)::bigint IS NULL OR createdAt >= \(filter.since))
                    AND (\(filter.until)::bigint IS NULL OR createdAt < \(filter.until))
                    """,
                page,
                connection
            )
        }
    }

    func recoverDeliveries(
        hookID: String,
        botID: String,
        workspaceID: String,
        since: Timestamp,
        until: Timestamp
    ) async throws -> Int {
        try await write { connection in
            let hook = try await Self.hook(id: hookID, botID: botID, workspaceID: workspaceID, lock: true, connection)
            try Delivery.checkRecovery(hookEnabled: hook.enabled)
            let now = Timestamp.now()
            let requeued = try await connection.run(
                """
                UPDATE delivery SET status = 'pending', nextAttemptAt = \(now), updatedAt = \(now)
                WHERE hookId = \(hookID) AND status = 'failed' AND createdAt >= \(since) AND createdAt < \(until)
                """
            )
            if requeued > 0 { try await Self.notify(.deliveries, connection) }
            return requeued
        }
    }

    /// Batches taken `FOR UPDATE SKIP LOCKED`: instances running retention at once never wait on each other, and
    /// no row a writer holds is waited for. Deliveries are found hook by hook through the index every delivery has
    /// anyway (hook, creation time): an index of its own on the finished ones would cost each attempt's write.
    func deleteFinished(before cutoff: Timestamp, limit: Int) async throws -> Int {
        try await write { connection in
            let deliveries = try await connection.run(
                """
                DELETE FROM delivery WHERE id IN (
                  SELECT old.id FROM hook CROSS JOIN LATERAL (
                    SELECT id FROM delivery
                    WHERE hookId = hook.id AND createdAt < \(cutoff) AND updatedAt < \(cutoff)
                      AND status IN ('succeeded', 'failed')
                    LIMIT \(limit) FOR UPDATE SKIP LOCKED) AS old
                  LIMIT \(limit))
                """
            )
            let jobs = try await connection.run(
                """
                DELETE FROM syncJob WHERE id IN (
                  SELECT id FROM syncJob WHERE status IN ('succeeded', 'failed') AND finishedAt < \(cutoff)
                  ORDER BY finishedAt LIMIT \(limit) FOR UPDATE SKIP LOCKED)
                """
            )
            return deliveries + jobs
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
        if lock { query.sql += " FOR NO KEY UPDATE" }
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

// The statements of every transition and claim, prepared: planning them cost more than running them, and the worker runs them all the
// time under the claim lock.

/// Every attempt in flight on any instance, with its hook's workspace and its lease (milliseconds); then every paced
/// hook, with when its next attempt may start (microseconds) and its rate. One statement: claims run all the time.
private struct InFlightStatement: PostgresPreparedStatement {
    static let sql = """
        SELECT delivery.hookId, hook.workspaceId, delivery.leaseExpiresAt, NULL::bigint
        FROM delivery JOIN hook ON hook.id = delivery.hookId WHERE delivery.status = 'delivering'
        UNION ALL
        SELECT id, NULL, paceNextAt, maxPerSecond FROM hook WHERE maxPerSecond IS NOT NULL
        """
    typealias Row = (String, String?, Int64?, Int?)

    func makeBindings() throws -> PostgresBindings { PostgresBindings() }
    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// The first due deliveries of each hook with a queue (as many as a hook may have in flight), oldest first: a
/// hook's backlog never crowds the others out of a claim. The hooks with a queue are found by skipping through
/// the queue index from one hook to the next.
private struct ClaimCandidatesStatement: PostgresPreparedStatement {
    static let sql = """
        WITH RECURSIVE queued(hookId) AS (
          (SELECT hookId FROM delivery WHERE status = 'pending' ORDER BY hookId LIMIT 1)
          UNION ALL
          SELECT (SELECT delivery.hookId FROM delivery
                  WHERE delivery.status = 'pending' AND delivery.hookId > queued.hookId
                  ORDER BY delivery.hookId LIMIT 1)
          FROM queued WHERE queued.hookId IS NOT NULL)
        SELECT due.id, hook.id, hook.workspaceId, hook.enabled
        FROM queued JOIN hook ON hook.id = queued.hookId
        CROSS JOIN LATERAL (
          SELECT delivery.id, delivery.nextAttemptAt FROM delivery
          WHERE delivery.hookId = hook.id AND delivery.status = 'pending' AND delivery.nextAttemptAt <= $1
            AND (hook.ordering <> 'conversation' OR NOT EXISTS (
              SELECT 1 FROM delivery AS earlier
              WHERE earlier.hookId = delivery.hookId AND earlier.conversationId = delivery.conversationId
                AND earlier.sequence < delivery.sequence AND earlier.status IN ('pending', 'delivering', 'paused')))
          ORDER BY delivery.nextAttemptAt LIMIT $2) AS due
        WHERE hook.id <> ALL($3::text[]) AND hook.workspaceId <> ALL($4::text[])
        ORDER BY due.nextAttemptAt
        LIMIT $5
        """
    typealias Row = (String, String, String, Bool)

    let now: Timestamp
    let busyHooks: [String]
    let busyWorkspaces: [String]
    let limit: Int

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings()
        try bindings.append(now)
        bindings.append(DeliverySlots.perHook)
        bindings.append(busyHooks)
        bindings.append(busyWorkspaces)
        bindings.append(limit)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// Takes the chosen deliveries that are still pending, passing over any another transaction holds, and leases
/// them to this instance.
private struct ClaimStatement: PostgresPreparedStatement {
    static let sql = """
        UPDATE delivery SET status = 'delivering', updatedAt = $1, leaseExpiresAt = $2
        WHERE id IN (SELECT id FROM delivery WHERE id = ANY($3::text[]) AND status = 'pending' FOR UPDATE SKIP LOCKED)
        RETURNING *
        """
    typealias Row = Delivery

    let now: Timestamp
    let leaseExpiresAt: Timestamp
    let chosen: [String]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings()
        try bindings.append(now)
        try bindings.append(leaseExpiresAt)
        bindings.append(chosen)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.makeRandomAccess().decode(Delivery.self) }
}

/// The hooks of these bots that listen to any of these types.
private struct ListeningHooksStatement: PostgresPreparedStatement {
    static let sql =
        "SELECT * FROM hook WHERE botId = ANY($1::text[]) AND type = ANY($2::text[]) ORDER BY createdAt, id"
    typealias Row = Hook

    let botIDs: [String]
    let types: [String]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(botIDs)
        bindings.append(types)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.makeRandomAccess().decode(Hook.self) }
}

/// Notifications sent when the transaction commits, each on its channel.
struct NotifyStatement: PostgresPreparedStatement {
    static let sql = text(bindingFrom: 1)
    typealias Row = ()

    let channels: [String]
    let payloads: [String]

    init(_ notifications: [(channel: PostgresStore.Channel, payload: String)]) {
        channels = notifications.map(\.channel.rawValue)
        payloads = notifications.map(\.payload)
    }

    /// The statement, its two arrays bound from `$first` on (to end a larger statement).
    static func text(bindingFrom first: Int) -> String {
        "SELECT pg_notify(channel, payload) FROM unnest($\(first)::text[], $\(first + 1)::text[]) AS sent(channel, payload)"
    }

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(channels)
        bindings.append(payloads)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {}
}

/// Hooks by id: read (`HooksStatement`) or locked in id order (`LockedHooksStatement`, so two instances' batches
/// never wait on each other in a circle).
private protocol HooksByID: PostgresPreparedStatement where Row == Hook {
    var ids: [String] { get }
}

extension HooksByID {
    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(ids)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Hook { try row.makeRandomAccess().decode(Hook.self) }
}

private struct HooksStatement: HooksByID {
    static let sql = "SELECT * FROM hook WHERE id = ANY($1::text[])"
    let ids: [String]
}

private struct LockedHooksStatement: HooksByID {
    static let sql = "SELECT * FROM hook WHERE id = ANY($1::text[]) ORDER BY id FOR NO KEY UPDATE"
    let ids: [String]
}

/// A batch of attempts inserted and their outcomes written back to their deliveries, ending their leases: one
/// statement of fixed text whatever the batch's size (the rows travel as JSON), so it is prepared once.
private struct RecordAttemptsStatement: PostgresPreparedStatement {
    static let sql = """
        WITH attempt AS (
          INSERT INTO deliveryAttempt (id, deliveryId, number, attemptedAt, responseCode, latencyMs, error, responseBody)
          SELECT * FROM jsonb_to_recordset($1::jsonb) AS attempt(
            "id" text, "deliveryId" text, "number" bigint, "attemptedAt" bigint, "responseCode" bigint,
            "latencyMs" float8, "error" text, "responseBody" text))
        UPDATE delivery SET status = outcome."status", attemptCount = outcome."attemptCount",
          nextAttemptAt = outcome."nextAttemptAt", lastResponseCode = outcome."lastResponseCode",
          lastError = outcome."lastError", updatedAt = outcome."updatedAt", leaseExpiresAt = NULL
        FROM jsonb_to_recordset($2::jsonb) AS outcome(
          "id" text, "status" text, "attemptCount" bigint, "nextAttemptAt" bigint, "lastResponseCode" bigint,
          "lastError" text, "updatedAt" bigint)
        WHERE delivery.id = outcome."id"
        """
    typealias Row = ()

    private struct AttemptRow: Encodable {
        let id: String
        let deliveryId: String
        let number: Int
        let attemptedAt: Int64
        let responseCode: Int?
        let latencyMs: Double
        let error: String?
        let responseBody: String?
    }

    private struct OutcomeRow: Encodable {
        let id: String
        let status: String
        let attemptCount: Int
        let nextAttemptAt: Int64
        let lastResponseCode: Int?
        let lastError: String?
        let updatedAt: Int64
    }

    let attempts: String
    let outcomes: String

    init(attempts: [DeliveryAttempt], deliveries: [Delivery]) throws {
        let encoder = JSONEncoder()
        self.attempts = String(
            decoding: try encoder.encode(
                attempts.map {
                    AttemptRow(
                        id: $0.id,
                        deliveryId: $0.deliveryId,
                        number: $0.number,
                        attemptedAt: $0.attemptedAt.millisecondsSince1970,
                        responseCode: $0.responseCode,
                        latencyMs: $0.latencyMs,
                        error: $0.error,
                        responseBody: $0.responseBody
                    )
                }
            ),
            as: UTF8.self
        )
        outcomes = String(
            decoding: try encoder.encode(
                deliveries.map {
                    OutcomeRow(
                        id: $0.id,
                        status: $0.status.rawValue,
                        attemptCount: $0.attemptCount,
                        nextAttemptAt: $0.nextAttemptAt.millisecondsSince1970,
                        lastResponseCode: $0.lastResponseCode,
                        lastError: $0.lastError,
                        updatedAt: $0.updatedAt.millisecondsSince1970
                    )
                }
            ),
            as: UTF8.self
        )
    }

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(attempts)
        bindings.append(outcomes)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {}
}
