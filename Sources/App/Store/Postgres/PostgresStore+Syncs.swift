import Embedding
import Foundation
import PostgresNIO

extension PostgresStore {
    /// A unique index allows one queued job a data source: a trigger on another instance that lost the race to
    /// insert finds the winner's job and joins it.
    func queueSync(dataSourceID: String, trigger: SyncTrigger) async throws -> (job: SyncJob, created: Bool) {
        try await write { connection in
            guard
                let source = try await connection.one(
                    DataSource.self,
                    "SELECT * FROM dataSource WHERE id = \(dataSourceID)"
                )
            else { throw AppError.notFound("Data source") }
            return try await Self.queueSync(of: source, trigger: trigger, connection)
        }
    }

    /// The due rows are locked as they are read, and skipped by another instance that reads them at once: when
    /// its turn comes their schedule has moved on.
    func queueScheduledSyncs(now: Timestamp) async throws -> Int {
        try await write { connection in
            let due = try await connection.all(
                DataSource.self,
                "SELECT * FROM dataSource WHERE nextSyncAt <= \(now) ORDER BY nextSyncAt FOR UPDATE SKIP LOCKED"
            )
            for source in due {
                let next = source.scheduleAfterQueueing(at: now)
                try await connection.run("UPDATE dataSource SET nextSyncAt = \(next) WHERE id = \(source.id)")
                _ = try await Self.queueSync(of: source, trigger: .schedule, connection)
            }
            return due.count
        }
    }

    func nextScheduledSync() async throws -> Timestamp? {
        try await read { connection in
            try await connection.value(Timestamp.self, "SELECT MIN(nextSyncAt) FROM dataSource")
        }
    }

    /// A unique index allows one queued job a data source: a trigger on another instance that lost the race to
    /// insert finds the winner's job and joins it.
    private static func queueSync(
        of source: DataSource,
        trigger: SyncTrigger,
        _ connection: PostgresConnection
    ) async throws -> (job: SyncJob, created: Bool) {
        let job = SyncJob.queued(source, trigger: trigger)
        let inserted = try await connection.run(
            """
            INSERT INTO syncJob (id, workspaceId, dataSourceId, status, trigger, createdAt)
            VALUES (\(job.id), \(job.workspaceId), \(job.dataSourceId), \(job.status), \(job.trigger), \(job.createdAt))
            ON CONFLICT (dataSourceId) WHERE status = 'queued' DO NOTHING
            """
        )
        if inserted == 1 {
            try await notify(.syncs, connection)
            return (job, true)
        }
        guard
            let queued = try await connection.one(
                SyncJob.self,
                "SELECT * FROM syncJob WHERE dataSourceId = \(source.id) AND status = 'queued'"
            )
        else { throw AppError.notFound("Sync") }
        return (queued, false)
    }

    /// Only syncs whose lease has run out: the others run on instances still up.
    func requeueInterruptedSyncs() async throws -> Int {
        try await write { connection in try await Self.requeueExpiredSyncs(connection) }
    }

    /// A sync whose instance died goes back to the queue, unless one is queued for its data source already
    /// (that one will do the same work): then it ends as failed.
    private static func requeueExpiredSyncs(_ connection: PostgresConnection) async throws -> Int {
        let now = Timestamp.now()
        try await connection.run(
            """
            UPDATE syncJob SET status = 'failed', reason = 'Interrupted by a stop.', finishedAt = \(now),
              leaseExpiresAt = NULL
            WHERE status = 'running' AND COALESCE(leaseExpiresAt, 0) <= \(now)
              AND dataSourceId IN (SELECT dataSourceId FROM syncJob WHERE status = 'queued')
            """
        )
        return try await connection.run(
            """
            UPDATE syncJob SET status = 'queued', startedAt = NULL, leaseExpiresAt = NULL
            WHERE status = 'running' AND COALESCE(leaseExpiresAt, 0) <= \(now)
            """
        )
    }

    /// Serialized across instances by an advisory lock: the running jobs it counts stay true while it chooses.
    func startNextSync() async throws -> SyncInput? {
        try await write { connection in
            try await connection.run("SELECT pg_advisory_xact_lock(\(Self.syncLock))")
            try await Self.requeueExpiredSyncs(connection)
            var running: [(dataSourceID: String, workspaceID: String)] = []
            let rows = try await connection.query(
                "SELECT dataSourceId, workspaceId FROM syncJob WHERE status = 'running'",
                logger: PostgresConnection.quiet
            )
            for try await (dataSourceID, workspaceID) in rows.decode((String, String).self) {
                running.append((dataSourceID, workspaceID))
            }
            let slots = SyncSlots(running: running)
            let queued = try await connection.all(
                SyncJob.self,
                "SELECT * FROM syncJob WHERE status = 'queued' ORDER BY createdAt, id"
            )
            guard
                var job = queued.first(where: {
                    slots.mayStart(dataSourceID: $0.dataSourceId, workspaceID: $0.workspaceId)
                })
            else { return nil }
            job.status = .running
            job.startedAt = .now()
            let leaseExpiresAt = Timestamp(
                millisecondsSince1970: job.startedAt!.millisecondsSince1970 + syncLease.nanoseconds / 1_000_000
            )
            try await connection.run(
                """
                UPDATE syncJob SET status = 'running', startedAt = \(job.startedAt), leaseExpiresAt = \(leaseExpiresAt)
                WHERE id = \(job.id)
                """
            )
            guard
                let source = try await connection.one(
                    DataSource.self,
                    "SELECT * FROM dataSource WHERE id = \(job.dataSourceId)"
                ),
                let workspace = try await connection.one(
                    Workspace.self,
                    "SELECT * FROM workspace WHERE id = \(source.workspaceId)"
                )
            else { return nil }
            let sourceRows = try await connection.all(
                DataSourceRow.self,
                "SELECT * FROM dataSourceRow WHERE dataSourceId = \(source.id) ORDER BY key"
            )
            let hashes = try await Self.rowHashes(dataSourceID: source.id, connection)
            return SyncInput(
                job: job,
                dataSource: source,
                encoding: workspace.tokenEncoding,
                rows: sourceRows,
                previousHashes: hashes.hashesByKey,
                previousValidators: hashes.validatorsByKey
            )
        }
    }

    func renewSyncLease(jobID: String) async throws {
        let expires = Timestamp(
            millisecondsSince1970: Timestamp.now().millisecondsSince1970 + syncLease.nanoseconds / 1_000_000
        )
        try await write { connection in
            try await connection.run(
                "UPDATE syncJob SET leaseExpiresAt = \(expires) WHERE id = \(jobID) AND status = 'running'"
            )
        }
    }

    func recordSyncProgress(jobID: String, _ progress: SyncProgress) async throws {
        let json = String(decoding: try JSONEncoder().encode(progress), as: UTF8.self)
        try await write { connection in
            try await connection.run(
                "UPDATE syncJob SET progress = \(json) WHERE id = \(jobID) AND status = 'running'"
            )
        }
    }

    /// The workspace row is locked before the limit is checked: syncs of one workspace finishing on different
    /// instances at once are written one after the other, each seeing the other's tokens.
    func completeSync(_ input: SyncInput, plan: SyncPlan) async throws -> SyncJob {
        try await write { connection in
            guard var job = try await connection.one(SyncJob.self, "SELECT * FROM syncJob WHERE id = \(input.job.id)"),
                let source = try await connection.one(
                    DataSource.self,
                    "SELECT * FROM dataSource WHERE id = \(input.dataSource.id)"
                )
            else { throw AppError.notFound("Sync") }
            let bot = try await Self.bot(id: source.botId, workspaceID: nil, connection)
            let usage = try await Self.workspaceUsage(id: source.workspaceId, lock: true, connection)
            guard usage.allows(tokens: plan.totalTokens) else {
                return try await failSync(
                    &job,
                    reason: WorkspaceUsage.overLimitReason,
                    source: source,
                    bot: bot,
                    connection
                )
            }
            let now = Timestamp.now()
            let replaced = plan.changed.map(\.key) + plan.deletedKeys
            try await connection.run(
                "DELETE FROM document WHERE dataSourceId = \(source.id) AND rowKey = ANY(\(replaced))"
            )
            try await connection.run(
                "DELETE FROM rowHash WHERE dataSourceId = \(source.id) AND rowKey = ANY(\(plan.deletedKeys))"
            )
            let documents = plan.documents(dataSourceID: source.id, at: now)
            for batch in stride(from: 0, to: documents.count, by: 5_000).map({
                documents[$0..<min($0 + 5_000, documents.count)]
            }) {
                // An empty embedding stands for none: arrays of bytea cannot hold NULLs here.
                let embeddings = batch.map { ByteBuffer(bytes: $0.embedding ?? Data()) }
                try await connection.run(
                    """
                    INSERT INTO document (id, dataSourceId, rowKey, position, text, tokens, createdAt, embedding,
                                          embeddingModel)
                    SELECT id, \(source.id), rowKey, position, text, tokens, \(now), NULLIF(embedding, ''::bytea),
                           CASE WHEN length(embedding) > 0 THEN \(plan.vectors?.model) END
                    FROM unnest(\(batch.map(\.id)), \(batch.map(\.rowKey)), \(batch.map(\.position)),
                                \(batch.map(\.text)), \(batch.map(\.tokens)), \(embeddings))
                      AS document(id, rowKey, position, text, tokens, embedding)
                    """
                )
            }
            if let vectors = plan.vectors, !vectors.backfill.isEmpty {
                try await connection.run(
                    """
                    UPDATE document SET embedding = vector.embedding, embeddingModel = \(vectors.model)
                    FROM unnest(\(vectors.backfill.map(\.documentID)),
                                \(vectors.backfill.map { ByteBuffer(bytes: VectorSet.bytes(of: $0.vector)) }))
                      AS vector(id, embedding)
                    WHERE document.id = vector.id AND document.dataSourceId = \(source.id)
                    """
                )
            }
            if plan.changesDocuments { try await Self.advanceDocumentGeneration(botID: bot.id, connection) }
            // Validators travel as JSON text, '' for none (arrays here cannot hold NULLs).
            let validators = try plan.changed.map { try $0.validators.map(Self.json) ?? "" }
            try await connection.run(
                """
                INSERT INTO rowHash (dataSourceId, rowKey, contentHash, validators)
                SELECT \(source.id), rowKey, contentHash, NULLIF(validators, '')
                FROM unnest(\(plan.changed.map(\.key)), \(plan.changed.map(\.contentHash)), \(validators))
                  AS hash(rowKey, contentHash, validators)
                ON CONFLICT (dataSourceId, rowKey) DO UPDATE SET contentHash = excluded.contentHash,
                  validators = excluded.validators
                """
            )
            if !plan.refreshedValidators.isEmpty {
                let refreshed = plan.refreshedValidators.sorted { $0.key < $1.key }
                try await connection.run(
                    """
                    UPDATE rowHash SET validators = fresh.validators
                    FROM unnest(\(refreshed.map(\.key)), \(try refreshed.map { try Self.json($0.value) }))
                      AS fresh(rowKey, validators)
                    WHERE rowHash.dataSourceId = \(source.id) AND rowHash.rowKey = fresh.rowKey
                    """
                )
            }
            if let rows = plan.replacementRows {
                try await connection.run("DELETE FROM dataSourceRow WHERE dataSourceId = \(source.id)")
                try await Self.insertRows(rows, dataSourceID: source.id, at: now, connection)
            }
            if plan.totalTokens > 0 {
                try await connection.insert(
                    StorageUsage.spent(plan.totalTokens, by: source, at: now)
                )
            }
            let totalDocuments = try await connection.value(
                Int.self,
                "SELECT COUNT(*) FROM document WHERE dataSourceId = \(source.id)"
            )
            job.succeed(plan, totalDocuments: totalDocuments ?? 0)
            try await connection.update(job)
            try await connection.run("UPDATE syncJob SET leaseExpiresAt = NULL WHERE id = \(job.id)")
            try await enqueueDeliveries(
                event: .syncSuccess,
                botID: bot.id,
                dataSourceID: source.id,
                payload: { [job] in try HookEvent.syncSucceeded(job, bot: bot, dataSource: source) },
                connection
            )
            return job
        }
    }

    /// Cached vectors of the bot's documents are stale from this commit on (`LexicalResults.generation`).
    static func advanceDocumentGeneration(botID: String, _ connection: PostgresConnection) async throws {
        try await connection.run("UPDATE bot SET documentGeneration = documentGeneration + 1 WHERE id = \(botID)")
    }

    func documentsWithoutVectors(dataSourceID: String, model: String) async throws -> [UnembeddedDocument] {
        try await read { connection in
            let rows = try await connection.query(
                """
                SELECT id, rowKey, text FROM document
                WHERE dataSourceId = \(dataSourceID) AND embeddingModel IS DISTINCT FROM \(model)
                ORDER BY rowKey, position
                """,
                logger: PostgresConnection.quiet
            )
            var documents: [UnembeddedDocument] = []
            for try await (id, rowKey, text) in rows.decode((String, String, String).self) {
                documents.append(UnembeddedDocument(id: id, rowKey: rowKey, text: text))
            }
            return documents
        }
    }

    func failSync(_ input: SyncInput, reason: String) async throws -> SyncJob {
        try await write { connection in
            guard var job = try await connection.one(SyncJob.self, "SELECT * FROM syncJob WHERE id = \(input.job.id)"),
                let source = try await connection.one(
                    DataSource.self,
                    "SELECT * FROM dataSource WHERE id = \(input.dataSource.id)"
                )
            else { throw AppError.notFound("Sync") }
            let bot = try await Self.bot(id: source.botId, workspaceID: nil, connection)
            return try await failSync(&job, reason: reason, source: source, bot: bot, connection)
        }
    }

    private func failSync(
        _ job: inout SyncJob,
        reason: String,
        source: DataSource,
        bot: Bot,
        _ connection: PostgresConnection
    ) async throws -> SyncJob {
        job.fail(reason: reason)
        try await connection.update(job)
        try await connection.run("UPDATE syncJob SET leaseExpiresAt = NULL WHERE id = \(job.id)")
        try await enqueueDeliveries(
            event: .syncFailure,
            botID: bot.id,
            dataSourceID: source.id,
            payload: { [job] in try HookEvent.syncFailed(job, reason: reason, bot: bot, dataSource: source) },
            connection
        )
        return job
    }

    // MARK: Reading

    func syncJobs(
        dataSourceID: String,
        botID: String,
        workspaceID: String,
        page: PageRequest
    ) async throws
        -> Page<SyncJob>
    {
        try await read { connection in
            _ = try await Self.dataSource(id: dataSourceID, botID: botID, workspaceID: workspaceID, connection)
            return try await Self.page(
                SyncJob.self,
                from: "syncJob",
                where: "dataSourceId = \(dataSourceID)",
                page,
                connection
            )
        }
    }

    func syncJob(id: String, workspaceID: String) async throws -> SyncJob {
        try await read { connection in
            guard
                let job = try await connection.one(
                    SyncJob.self,
                    "SELECT * FROM syncJob WHERE id = \(id) AND workspaceId = \(workspaceID)"
                )
            else { throw AppError.notFound("Sync") }
            return job
        }
    }

    func documents(
        dataSourceID: String,
        botID: String,
        workspaceID: String,
        after: (rowKey: String, position: Int)?,
        limit: Int
    ) async throws -> (documents: [Document], next: (rowKey: String, position: Int)?) {
        try await read { connection in
            _ = try await Self.dataSource(id: dataSourceID, botID: botID, workspaceID: workspaceID, connection)
            let rows = try await connection.all(
                Document.self,
                """
                SELECT id, dataSourceId, rowKey, position, text, tokens, createdAt FROM document
                WHERE dataSourceId = \(dataSourceID)
                  AND (\(after?.rowKey)::text IS NULL OR (rowKey, position) > (\(after?.rowKey), \(after?.position)))
                ORDER BY rowKey, position LIMIT \(limit + 1)
                """
            )
            let page = Array(rows.prefix(limit))
            return (page, rows.count > limit ? page.last.map { ($0.rowKey, $0.position) } : nil)
        }
    }

    func syncPreview(
        dataSourceID: String,
        botID: String,
        workspaceID: String
    ) async throws
        -> (rows: [DataSourceRow], previousHashes: [String: String], source: DataSource, usage: WorkspaceUsage)
    {
        try await read { connection in
            let source = try await Self.dataSource(id: dataSourceID, botID: botID, workspaceID: workspaceID, connection)
            let rows = try await connection.all(
                DataSourceRow.self,
                "SELECT * FROM dataSourceRow WHERE dataSourceId = \(source.id)"
            )
            return (
                rows, try await Self.rowHashes(dataSourceID: source.id, connection).hashesByKey, source,
                try await Self.workspaceUsage(id: workspaceID, connection)
            )
        }
    }

    private static func rowHashes(dataSourceID: String, _ connection: PostgresConnection) async throws -> [RowHash] {
        try await connection.all(RowHash.self, "SELECT * FROM rowHash WHERE dataSourceId = \(dataSourceID)")
    }

    private static func json(_ validators: PageValidators) throws -> String {
        String(decoding: try JSONEncoder().encode(validators), as: UTF8.self)
    }

    /// How long a started sync stays its instance's before another may take it over, unless renewed: the worker
    /// renews it while the sync runs (embedding a large source takes many minutes), so only a dead instance's
    /// sync expires.
    var syncLease: Duration { .seconds(600) }

    /// The advisory lock key sync starts take.
    static let syncLock: Int64 = 0x5357_5359_4e43  // "SWSYNC"
}
