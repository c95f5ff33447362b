import Foundation
import GRDB

extension SQLiteStore {
    // MARK: The outbox

    /// Writes, inside the caller's transaction, one delivery of `event` per hook of the bot that listens to it
    /// (for sync events, hooks without a data-source filter or with this one). Deliveries to a disabled hook are
    /// kept `paused`. The worker is woken when the transaction commits.
    @discardableResult
    func enqueueDeliveries(
        event: HookType,
        botID: String,
        dataSourceID: String? = nil,
        position: EventPosition? = nil,
        payload: @autoclosure () throws -> Data,
        _ db: Database
    ) throws -> [Delivery] {
        // A cached statement: this runs for every transition and message, and compiling it cost more than running it.
        let matching = try Hook.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT * FROM hook WHERE botId = ? AND type = ?
                      AND (?3 IS NULL OR dataSourceId IS NULL OR dataSourceId = ?3)
                    """
            ),
            arguments: [botID, event.rawValue, dataSourceID]
        )
        // Encoded only when some hook wants it: most messages go to no hook at all.
        guard !matching.isEmpty else { return [] }
        let payload = try payload()
        let now = Timestamp.now()
        let deliveries = matching.map {
            Delivery.queued(event, to: $0, payload: payload, position: position, at: now)
        }
        for delivery in deliveries { try delivery.insert(db) }
        if deliveries.contains(where: { $0.status == .pending }) { wakeWorkerOnCommit(db) }
        return deliveries
    }

    /// Wakes the delivery worker once the caller's transaction commits.
    func wakeWorkerOnCommit(_ db: Database) {
        let signal = deliveriesWritten
        db.afterNextTransaction { _ in signal.notify() }
    }

    // MARK: The worker's side

    func requeueInterruptedDeliveries() async throws -> Int {
        try await pool.write { db in
            try Delivery.filter(Delivery.Columns.status == DeliveryStatus.delivering.rawValue)
                .updateAll(db, Delivery.Columns.status.set(to: DeliveryStatus.pending.rawValue))
        }
    }

    /// Hooks and workspaces with no slot left, and paced hooks booked out, are skipped in the scan of the due index
    /// itself, and so are an ordered hook's deliveries that wait for an earlier one of their conversation; the walk
    /// over the rows read is `DeliveryClaim`'s (the rows it passes over belong to hooks or workspaces that filled up
    /// during this claim, which the next claim leaves out in the index scan itself).
    func claimDueDeliveries(
        slots currentSlots: @escaping @Sendable () -> DeliverySlots
    ) async throws
        -> [ClaimedDelivery]
    {
        guard currentSlots().free > 0 else { return [] }
        return try await pool.write { db in
            let now = Timestamp.now()
            let settings = try Self.deliverySettings(db)
            var claim = DeliveryClaim(slots: currentSlots(), paces: settings.paces, now: now)
            // Ids and hooks only: most candidates are passed over, and payloads are large.
            let candidates = try Self.due(
                Delivery.select(Delivery.Columns.id, Delivery.Columns.hookId)
                    .filter(Delivery.Columns.nextAttemptAt <= now),
                busyHooks: claim.slots.busyHooks + claim.bookedOutHooks,
                busyWorkspaces: claim.slots.busyWorkspaces,
                orderedHooks: settings.orderedHooks
            ).order(Delivery.Columns.nextAttemptAt).asRequest(of: Row.self).fetchCursor(db)
            var hooks: [String: Hook] = [:]
            while claim.wantsMore, let candidate = try candidates.next() {
                let (id, hookID): (String, String) = (candidate["id"], candidate["hookId"])
                guard let hook = try hooks[hookID] ?? Hook.fetchOne(db, key: hookID) else { continue }
                hooks[hook.id] = hook
                claim.consider(
                    deliveryID: id,
                    hookID: hook.id,
                    workspaceID: hook.workspaceId,
                    hookEnabled: hook.enabled
                )
            }
            for (ids, status) in [(claim.paused, DeliveryStatus.paused), (claim.chosen, .delivering)] where !ids.isEmpty
            {
                try Delivery.filter(keys: ids).updateAll(
                    db,
                    Delivery.Columns.status.set(to: status.rawValue),
                    Delivery.Columns.updatedAt.set(to: now)
                )
            }
            for pace in claim.bookedHooks.compactMap({ claim.paces[$0] }) {
                try db.execute(
                    sql: "UPDATE hook SET paceNextAt = ? WHERE id = ?",
                    arguments: [pace.nextStart, pace.hookID]
                )
            }
            return try Delivery.fetchAll(db, keys: claim.chosen).sorted { $0.nextAttemptAt < $1.nextAttemptAt }
                .compactMap { delivery in
                    hooks[delivery.hookId].map {
                        ClaimedDelivery(delivery: delivery, hook: $0, startsAt: claim.startsAt[delivery.id])
                    }
                }
        }
    }

    /// The hooks whose settings a claim must heed: the ordered ones, and the paced ones with their schedules. One
    /// read of the (small) hook table a claim.
    private static func deliverySettings(_ db: Database) throws -> (orderedHooks: [String], paces: [DeliveryPace]) {
        var settings: (orderedHooks: [String], paces: [DeliveryPace]) = ([], [])
        let rows = try Row.fetchCursor(
            db.cachedStatement(
                sql: """
                    SELECT id, ordering, maxPerSecond, paceNextAt FROM hook
                    WHERE ordering = 'conversation' OR maxPerSecond IS NOT NULL
                    """
            )
        )
        while let row = try rows.next() {
            if row["ordering"] == DeliveryOrdering.conversation.rawValue { settings.orderedHooks.append(row["id"]) }
            if let maxPerSecond: Int = row["maxPerSecond"] {
                settings.paces.append(
                    DeliveryPace(hookID: row["id"], maxPerSecond: maxPerSecond, nextStart: row["paceNextAt"])
                )
            }
        }
        return settings
    }

    /// Pending deliveries of `request` that a claim could take: not of busy hooks or workspaces, and not waiting
    /// for an earlier event of their conversation to an ordered hook (only the ordered hooks' rows are read for
    /// that: the others are decided in the index).
    private static func due(
        _ request: QueryInterfaceRequest<Delivery>,
        busyHooks: [String],
        busyWorkspaces: [String],
        orderedHooks: [String]
    ) -> QueryInterfaceRequest<Delivery> {
        var due = request.filter(Delivery.Columns.status == DeliveryStatus.pending.rawValue)
            .filter(!busyHooks.contains(Delivery.Columns.hookId))
        due = excludingWorkspaces(busyWorkspaces, due)
        guard !orderedHooks.isEmpty else { return due }
        return due.filter(
            !orderedHooks.contains(Delivery.Columns.hookId)
                || SQL(
                    """
                    NOT EXISTS (SELECT 1 FROM delivery AS earlier
                      WHERE earlier.hookId = delivery.hookId AND earlier.conversationId = delivery.conversationId
                        AND earlier.sequence < delivery.sequence
                        AND earlier.status IN ('pending', 'delivering', 'paused'))
                    """
                )
        )
    }

    /// `request` without the deliveries of hooks in `workspaces`.
    private static func excludingWorkspaces(
        _ workspaces: [String],
        _ request: QueryInterfaceRequest<Delivery>
    ) -> QueryInterfaceRequest<Delivery> {
        guard !workspaces.isEmpty else { return request }
        let theirHooks = Hook.select(Hook.Columns.id).filter(workspaces.contains(Hook.Columns.workspaceId))
        return request.filter(!theirHooks.contains(Delivery.Columns.hookId))
    }

    func pendingDeliveryCount() async throws -> Int {
        try await pool.read { db in
            try Delivery.filter(Delivery.Columns.status == DeliveryStatus.pending.rawValue).fetchCount(db)
        }
    }

    /// Also when a booked-out paced hook may take its next attempt.
    func nextDueTime(slots: DeliverySlots = DeliverySlots()) async throws -> Timestamp? {
        try await pool.read { db in
            let now = Timestamp.now()
            let settings = try Self.deliverySettings(db)
            let bookedOut = settings.paces.filter { $0.isBookedOut(now: now.millisecondsSince1970 * 1000) }
            let due = try Self.due(
                Delivery.all(),
                busyHooks: slots.busyHooks + bookedOut.map(\.hookID),
                busyWorkspaces: slots.busyWorkspaces,
                orderedHooks: settings.orderedHooks
            ).select(min(Delivery.Columns.nextAttemptAt), as: Timestamp.self).fetchOne(db)
            let paced = bookedOut.map { Timestamp(millisecondsSince1970: $0.freesAt / 1000) }.min()
            return [due, paced].compactMap { $0 }.min()
        }
    }

    func recordAttempts(
        _ attempts: [(result: AttemptResult, claimed: ClaimedDelivery)],
        policy: DeliveryPolicy
    ) async throws -> [RecordedAttempt?] {
        try await pool.write { db in
            var hooks: [String: Hook] = [:]  // read once a batch, kept current as attempts change them
            return try attempts.map { attempt in
                let id = attempt.claimed.hook.id
                guard var hook = try hooks[id] ?? Hook.fetchOne(db, key: id) else { return nil }
                defer { hooks[id] = hook }
                return try recordAttempt(attempt.result, for: attempt.claimed.delivery, hook: &hook, policy: policy, db)
            }
        }
    }

    /// `delivery` is the claimed copy, which is current: a `delivering` delivery is the worker's alone, and
    /// it exists as long as its hook does.
    private func recordAttempt(
        _ result: AttemptResult,
        for claimed: Delivery,
        hook: inout Hook,
        policy: DeliveryPolicy,
        _ db: Database
    ) throws -> RecordedAttempt {
        var delivery = claimed
        let wasEnabled = hook.enabled
        let change = delivery.record(result, hook: &hook, policy: policy)
        try change.attempt.insert(db)
        if change.pauseHooksQueue {
            try Delivery.filter(
                Delivery.Columns.hookId == hook.id && Delivery.Columns.status == DeliveryStatus.pending.rawValue
            ).updateAll(db, Delivery.Columns.status.set(to: DeliveryStatus.paused.rawValue))
        }
        if change.hookChanged { try hook.update(db) }
        if delivery.status == .pending { wakeWorkerOnCommit(db) }
        try delivery.update(db, columns: Delivery.progressColumns)  // not the payload: it never changes
        return RecordedAttempt(delivery: delivery, disabledHook: wasEnabled && !hook.enabled)
    }
}

extension SQLiteStore {
    // MARK: The delivery log

    func deliveries(
        hookID: String,
        botID: String,
        workspaceID: String,
        filter: DeliveryFilter,
        page: PageRequest
    ) async throws -> Page<Delivery> {
        try await pool.read { db in
            _ = try Self.hook(id: hookID, botID: botID, workspaceID: workspaceID, db)
            var request = Delivery.filter(Delivery.Columns.hookId == hookID)
            if let status = filter.status { request = request.filter(Delivery.Columns.status == status.rawValue) }
            if let event = filter.event { request = request.filter(Delivery.Columns.event == event) }
            if let since = filter.since { request = request.filter(Delivery.Columns.createdAt >= since) }
            if let until = filter.until { request = request.filter(Delivery.Columns.createdAt < until) }
            return try Self.page(request, page, db)
        }
    }

    func recoverDeliveries(
        hookID: String,
        botID: String,
        workspaceID: String,
        since: Timestamp,
        until: Timestamp
    ) async throws -> Int {
        try await pool.write { db in
            let hook = try Self.hook(id: hookID, botID: botID, workspaceID: workspaceID, db)
            try Delivery.checkRecovery(hookEnabled: hook.enabled)
            let now = Timestamp.now()
            let requeued = try Delivery.filter(
                Delivery.Columns.hookId == hookID && Delivery.Columns.status == DeliveryStatus.failed.rawValue
                    && Delivery.Columns.createdAt >= since && Delivery.Columns.createdAt < until
            ).updateAll(
                db,
                Delivery.Columns.status.set(to: DeliveryStatus.pending.rawValue),
                Delivery.Columns.nextAttemptAt.set(to: now),
                Delivery.Columns.updatedAt.set(to: now)
            )
            if requeued > 0 { wakeWorkerOnCommit(db) }
            return requeued
        }
    }

    /// Deliveries are found hook by hook through the index every delivery has anyway (hook, creation time): an
    /// index of its own on the finished ones would cost each attempt's write, the hot path, for an hourly sweep.
    func deleteFinished(before cutoff: Timestamp, limit: Int) async throws -> Int {
        try await pool.write { db in
            // Attempts go with their deliveries (ON DELETE CASCADE); each batch is a short write.
            try db.execute(
                sql: """
                    DELETE FROM delivery WHERE id IN (
                      SELECT id FROM delivery WHERE hookId IN (SELECT id FROM hook) AND createdAt < ?1
                        AND updatedAt < ?1 AND status IN ('succeeded', 'failed')
                      LIMIT ?2)
                    """,
                arguments: [cutoff, limit]
            )
            let deliveries = db.changesCount
            try db.execute(
                sql: """
                    DELETE FROM syncJob WHERE id IN (
                      SELECT id FROM syncJob WHERE status IN ('succeeded', 'failed') AND finishedAt < ?
                      ORDER BY finishedAt LIMIT ?)
                    """,
                arguments: [cutoff, limit]
            )
            return deliveries + db.changesCount
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
        try await pool.read { db in
            try Self.deliveryWithAttempts(id: id, hookID: hookID, botID: botID, workspaceID: workspaceID, db)
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
        try await pool.write { db in
            let hook = try Self.hook(id: hookID, botID: botID, workspaceID: workspaceID, db)
            var (delivery, attempts) = try Self.deliveryWithAttempts(
                id: id,
                hookID: hookID,
                botID: botID,
                workspaceID: workspaceID,
                db
            )
            try delivery.checkRetry(hookEnabled: hook.enabled)
            delivery.status = .pending
            delivery.nextAttemptAt = .now()
            delivery.updatedAt = .now()
            try delivery.update(db)
            wakeWorkerOnCommit(db)
            return (delivery, attempts)
        }
    }

    private static func deliveryWithAttempts(
        id: String,
        hookID: String,
        botID: String,
        workspaceID: String,
        _ db: Database
    ) throws -> (Delivery, [DeliveryAttempt]) {
        _ = try hook(id: hookID, botID: botID, workspaceID: workspaceID, db)
        guard
            let delivery = try Delivery.filter(Delivery.Columns.hookId == hookID && Delivery.Columns.id == id).fetchOne(
                db
            )
        else { throw AppError.notFound("Delivery") }
        let attempts = try DeliveryAttempt.filter(DeliveryAttempt.Columns.deliveryId == id)
            .order(DeliveryAttempt.Columns.number).fetchAll(db)
        return (delivery, attempts)
    }
}
