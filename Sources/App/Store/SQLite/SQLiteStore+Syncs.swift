import Embedding
import Foundation
import GRDB
import Tokenizer

extension SQLiteStore {
    func queueSync(dataSourceID: String, trigger: SyncTrigger) async throws -> (job: SyncJob, created: Bool) {
        try await pool.write { db in
            guard let source = try DataSource.fetchOne(db, key: dataSourceID) else {
                throw AppError.notFound("Data source")
            }
            return try queueSync(of: source, trigger: trigger, db)
        }
    }

    func queueScheduledSyncs(now: Timestamp) async throws -> Int {
        try await pool.write { db in
            let due = try DataSource.filter(Column("nextSyncAt") <= now).fetchAll(db)
            for var source in due {
                source.nextSyncAt = source.scheduleAfterQueueing(at: now)
                try source.update(db)
                _ = try queueSync(of: source, trigger: .schedule, db)
            }
            return due.count
        }
    }

    func nextScheduledSync() async throws -> Timestamp? {
        try await pool.read { db in
            try Timestamp.fetchOne(db, sql: "SELECT MIN(nextSyncAt) FROM dataSource WHERE nextSyncAt IS NOT NULL")
        }
    }

    /// Queues a sync of `source`, or answers the one already queued, which it joins.
    private func queueSync(
        of source: DataSource,
        trigger: SyncTrigger,
        _ db: Database
    ) throws -> (job: SyncJob, created: Bool) {
        if let queued = try SyncJob.filter(
            SyncJob.Columns.dataSourceId == source.id && SyncJob.Columns.status == SyncStatus.queued.rawValue
        ).fetchOne(db) {
            return (queued, false)
        }
        let job = SyncJob.queued(source, trigger: trigger)
        try job.insert(db)
        let signal = syncsQueued
        db.afterNextTransaction { _ in signal.notify() }
        return (job, true)
    }

    func requeueInterruptedSyncs() async throws -> Int {
        try await pool.write { db in
            try SyncJob.filter(SyncJob.Columns.status == SyncStatus.running.rawValue)
                .updateAll(
                    db,
                    SyncJob.Columns.status.set(to: SyncStatus.queued.rawValue),
                    Column("startedAt").set(to: nil)
                )
        }
    }

    func startNextSync() async throws -> SyncInput? {
        try await pool.write { db in
            let running = try Row.fetchAll(
                db,
                sql: "SELECT dataSourceId, workspaceId FROM syncJob WHERE status = ?",
                arguments: [SyncStatus.running.rawValue]
            )
            let slots = SyncSlots(running: running.map { ($0["dataSourceId"], $0["workspaceId"]) })
            // At most one queued job per data source (triggers join it), so this reads few rows.
            let queued = try SyncJob.filter(SyncJob.Columns.status == SyncStatus.queued.rawValue)
                .order(SyncJob.Columns.createdAt, SyncJob.Columns.id)
                .fetchCursor(db)
            var next: SyncJob?
            while next == nil, let job = try queued.next() {
                if slots.mayStart(dataSourceID: job.dataSourceId, workspaceID: job.workspaceId) { next = job }
            }
            guard var job = next else { return nil }
            job.status = .running
            job.startedAt = .now()
            try job.update(db)
            guard let source = try DataSource.fetchOne(db, key: job.dataSourceId),
                let workspace = try Workspace.fetchOne(db, key: source.workspaceId)
            else { return nil }
            let rows = try DataSourceRow.filter(DataSourceRow.Columns.dataSourceId == source.id)
                .order(DataSourceRow.Columns.key).fetchAll(db)
            let hashes = try RowHash.filter(RowHash.Columns.dataSourceId == source.id).fetchAll(db)
            return SyncInput(
                job: job,
                dataSource: source,
                encoding: workspace.tokenEncoding,
                rows: rows,
                previousHashes: hashes.hashesByKey,
                previousValidators: hashes.validatorsByKey
            )
        }
    }

    func renewSyncLease(jobID: String) async throws {}

    func recordSyncProgress(jobID: String, _ progress: SyncProgress) async throws {
        let json = String(decoding: try JSONEncoder().encode(progress), as: UTF8.self)
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE syncJob SET progress = ? WHERE id = ? AND status = ?",
                arguments: [json, jobID, SyncStatus.running.rawValue]
            )
        }
    }

    func announce(_ job: SyncJob) async throws {}

    func completeSync(_ input: SyncInput, plan: SyncPlan) async throws -> SyncJob {
        try await pool.write { db in
            guard var job = try SyncJob.fetchOne(db, key: input.job.id),
                let source = try DataSource.fetchOne(db, key: input.dataSource.id),
                let bot = try Bot.fetchOne(db, key: source.botId)
            else { throw AppError.notFound("Sync") }
            guard try Self.workspaceUsage(id: source.workspaceId, db).allows(tokens: plan.totalTokens) else {
                return try failSync(&job, reason: WorkspaceUsage.overLimitReason, source: source, bot: bot, db)
            }
            let now = Timestamp.now()
            let replaced = plan.changed.map(\.key) + plan.deletedKeys
            try Document.filter(
                Document.Columns.dataSourceId == source.id && replaced.contains(Document.Columns.rowKey)
            )
            .deleteAll(db)
            try RowHash.filter(
                RowHash.Columns.dataSourceId == source.id && plan.deletedKeys.contains(RowHash.Columns.rowKey)
            )
            .deleteAll(db)
            for document in plan.documents(dataSourceID: source.id, at: now) { try document.insert(db) }
            for row in plan.changed {
                try RowHash(
                    dataSourceId: source.id,
                    rowKey: row.key,
                    contentHash: row.contentHash,
                    validators: row.validators
                ).upsert(db)
            }
            for (key, validators) in plan.refreshedValidators {
                try RowHash.filter(RowHash.Columns.dataSourceId == source.id && RowHash.Columns.rowKey == key)
                    .updateAll(
                        db,
                        Column("validators").set(
                            to: String(decoding: try JSONEncoder().encode(validators), as: UTF8.self)
                        )
                    )
            }
            if let rows = plan.replacementRows {
                try DataSourceRow.filter(DataSourceRow.Columns.dataSourceId == source.id).deleteAll(db)
                for row in rows { try DataSourceRow(row, dataSourceID: source.id, at: now).upsert(db) }
            }
            if let vectors = plan.vectors {
                let statement = try db.cachedStatement(
                    sql: "UPDATE document SET embedding = ?, embeddingModel = ? WHERE id = ? AND dataSourceId = ?"
                )
                for (documentID, vector) in vectors.backfill {
                    try statement.execute(
                        arguments: [Data(VectorSet.bytes(of: vector)), vectors.model, documentID, source.id]
                    )
                }
            }
            if plan.changesDocuments { try Self.advanceDocumentGeneration(botID: bot.id, db) }
            if plan.totalTokens > 0 {
                try StorageUsage.spent(plan.totalTokens, by: source, at: now)
                    .insert(db)
            }
            job.succeed(
                plan,
                totalDocuments: try Document.filter(Document.Columns.dataSourceId == source.id).fetchCount(db)
            )
            try job.update(db)
            try enqueueDeliveries(
                event: .syncSuccess,
                botID: bot.id,
                dataSourceID: source.id,
                payload: HookEvent.syncSucceeded(job, bot: bot, dataSource: source),
                db
            )
            return job
        }
    }

    /// Cached vectors of the bot's documents are stale from this commit on (`LexicalResults.generation`).
    static func advanceDocumentGeneration(botID: String, _ db: Database) throws {
        try db.execute(
            sql: "UPDATE bot SET documentGeneration = documentGeneration + 1 WHERE id = ?",
            arguments: [botID]
        )
    }

    func documentsWithoutVectors(dataSourceID: String, model: String) async throws -> [UnembeddedDocument] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, rowKey, text FROM document
                    WHERE dataSourceId = ? AND embeddingModel IS NOT ?
                    ORDER BY rowKey, position
                    """,
                arguments: [dataSourceID, model]
            )
            .map { UnembeddedDocument(id: $0["id"], rowKey: $0["rowKey"], text: $0["text"]) }
        }
    }

    func failSync(_ input: SyncInput, reason: String) async throws -> SyncJob {
        try await pool.write { db in
            guard var job = try SyncJob.fetchOne(db, key: input.job.id),
                let source = try DataSource.fetchOne(db, key: input.dataSource.id),
                let bot = try Bot.fetchOne(db, key: source.botId)
            else { throw AppError.notFound("Sync") }
            return try failSync(&job, reason: reason, source: source, bot: bot, db)
        }
    }

    private func failSync(
        _ job: inout SyncJob,
        reason: String,
        source: DataSource,
        bot: Bot,
        _ db: Database
    ) throws
        -> SyncJob
    {
        job.fail(reason: reason)
        try job.update(db)
        try enqueueDeliveries(
            event: .syncFailure,
            botID: bot.id,
            dataSourceID: source.id,
            payload: HookEvent.syncFailed(job, reason: reason, bot: bot, dataSource: source),
            db
        )
        return job
    }

    // MARK: Reading

    func syncJobs(
        dataSourceID: String,
        botID: String,
        workspaceID: String,
        page: PageRequest
    ) async throws -> Page<SyncJob> {
        try await pool.read { db in
            _ = try Self.dataSource(id: dataSourceID, botID: botID, workspaceID: workspaceID, db)
            return try Self.page(SyncJob.filter(SyncJob.Columns.dataSourceId == dataSourceID), page, db)
        }
    }

    func syncJob(id: String, workspaceID: String) async throws -> SyncJob {
        try await pool.read { db in
            guard
                let job = try SyncJob.filter(SyncJob.Columns.id == id && SyncJob.Columns.workspaceId == workspaceID)
                    .fetchOne(db)
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
        try await pool.read { db in
            _ = try Self.dataSource(id: dataSourceID, botID: botID, workspaceID: workspaceID, db)
            var request = Document.filter(Document.Columns.dataSourceId == dataSourceID)
            if let after {
                request = request.filter(
                    Document.Columns.rowKey > after.rowKey
                        || (Document.Columns.rowKey == after.rowKey && Document.Columns.position > after.position)
                )
            }
            let rows = try request.order(Document.Columns.rowKey, Document.Columns.position).limit(limit + 1).fetchAll(
                db
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
        try await pool.read { db in
            let source = try Self.dataSource(id: dataSourceID, botID: botID, workspaceID: workspaceID, db)
            let rows = try DataSourceRow.filter(DataSourceRow.Columns.dataSourceId == source.id).fetchAll(db)
            let hashes = try RowHash.filter(RowHash.Columns.dataSourceId == source.id).fetchAll(db)
            return (
                rows, hashes.hashesByKey, source,
                try Self.workspaceUsage(id: workspaceID, db)
            )
        }
    }
}
