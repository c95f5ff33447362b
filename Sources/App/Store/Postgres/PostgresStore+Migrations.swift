import PostgresNIO

extension PostgresStore {
    /// The schema, one numbered step per change, applied in order and recorded in `schemaMigration`. Never edit a
    /// step once it has landed. The same tables as SQLite's, with PostgreSQL's types and its full-text search.
    static let migrations: [(name: String, sql: [String])] = [
        (
            "v1: the schema of SQLite's v1–v10, leased deliveries and syncs, full-text search",
            [
                """
                CREATE TABLE workspace (
                  id text PRIMARY KEY, name text NOT NULL, monthlyStorageTokenLimit bigint NOT NULL,
                  tokenEncoding text NOT NULL, createdAt bigint NOT NULL, updatedAt bigint NOT NULL)
                """,
                """
                CREATE TABLE apiKey (
                  id text PRIMARY KEY, workspaceId text NOT NULL REFERENCES workspace ON DELETE CASCADE,
                  name text NOT NULL, tokenHash text NOT NULL UNIQUE, createdAt bigint NOT NULL)
                """,
                "CREATE INDEX apiKey_on_workspaceId_createdAt ON apiKey (workspaceId, createdAt)",
                """
                CREATE TABLE storageUsage (
                  id text PRIMARY KEY, workspaceId text NOT NULL REFERENCES workspace ON DELETE CASCADE,
                  tokens bigint NOT NULL, createdAt bigint NOT NULL)
                """,
                "CREATE INDEX storageUsage_on_workspaceId_createdAt ON storageUsage (workspaceId, createdAt)",
                """
                CREATE TABLE bot (
                  id text PRIMARY KEY, workspaceId text NOT NULL REFERENCES workspace ON DELETE CASCADE,
                  name text NOT NULL, humanTakeoverEnabled boolean NOT NULL,
                  createdAt bigint NOT NULL, updatedAt bigint NOT NULL)
                """,
                "CREATE INDEX bot_on_workspaceId_createdAt_id ON bot (workspaceId, createdAt, id)",
                """
                CREATE TABLE agent (
                  id text PRIMARY KEY, workspaceId text NOT NULL REFERENCES workspace ON DELETE CASCADE,
                  name text NOT NULL, email text NOT NULL, tokenHash text NOT NULL UNIQUE,
                  createdAt bigint NOT NULL, updatedAt bigint NOT NULL)
                """,
                "CREATE INDEX agent_on_workspaceId_createdAt_id ON agent (workspaceId, createdAt, id)",
                """
                CREATE TABLE hook (
                  id text PRIMARY KEY, workspaceId text NOT NULL REFERENCES workspace ON DELETE CASCADE,
                  botId text NOT NULL REFERENCES bot ON DELETE CASCADE, type text NOT NULL, targetUrl text,
                  dataSourceId text, secret text NOT NULL, enabled boolean NOT NULL, disabledReason text,
                  lastError text, consecutiveFailures bigint NOT NULL, createdAt bigint NOT NULL,
                  updatedAt bigint NOT NULL)
                """,
                "CREATE INDEX hook_on_botId_createdAt_id ON hook (botId, createdAt, id)",
                """
                CREATE TABLE delivery (
                  id text PRIMARY KEY, hookId text NOT NULL REFERENCES hook ON DELETE CASCADE, event text NOT NULL,
                  payload bytea NOT NULL, status text NOT NULL, attemptCount bigint NOT NULL,
                  nextAttemptAt bigint NOT NULL, lastResponseCode bigint, lastError text,
                  createdAt bigint NOT NULL, updatedAt bigint NOT NULL, leaseExpiresAt bigint)
                """,
                "CREATE INDEX delivery_on_hookId_createdAt_id ON delivery (hookId, createdAt, id)",
                "CREATE INDEX delivery_due ON delivery (nextAttemptAt) WHERE status = 'pending'",
                "CREATE INDEX delivery_in_flight ON delivery (leaseExpiresAt) WHERE status = 'delivering'",
                """
                CREATE TABLE deliveryAttempt (
                  id text PRIMARY KEY, deliveryId text NOT NULL REFERENCES delivery ON DELETE CASCADE,
                  number bigint NOT NULL, attemptedAt bigint NOT NULL, responseCode bigint,
                  latencyMs double precision NOT NULL, error text, responseBody text)
                """,
                "CREATE INDEX deliveryAttempt_on_deliveryId ON deliveryAttempt (deliveryId, number)",
                """
                CREATE TABLE conversation (
                  id text PRIMARY KEY, workspaceId text NOT NULL REFERENCES workspace ON DELETE CASCADE,
                  botId text NOT NULL REFERENCES bot ON DELETE CASCADE, state text NOT NULL,
                  channelType text NOT NULL, initialMessage text, userEmail text, userData bytea,
                  claimedByAgentId text REFERENCES agent ON DELETE SET NULL, claimedByName text,
                  claimedByEmail text, visitorTokenHash text NOT NULL UNIQUE, escalatedAt bigint, claimedAt bigint,
                  resolvedAt bigint, createdAt bigint NOT NULL, updatedAt bigint NOT NULL)
                """,
                """
                CREATE INDEX conversation_on_workspaceId_state_createdAt
                  ON conversation (workspaceId, state, createdAt, id)
                """,
                """
                CREATE TABLE message (
                  seq bigserial PRIMARY KEY, id text NOT NULL UNIQUE,
                  conversationId text NOT NULL REFERENCES conversation ON DELETE CASCADE, role text NOT NULL,
                  text text NOT NULL, agentId text, agentName text, sources text, createdAt bigint NOT NULL)
                """,
                "CREATE INDEX message_on_conversationId_seq ON message (conversationId, seq)",
                """
                CREATE TABLE dataSource (
                  id text PRIMARY KEY, workspaceId text NOT NULL REFERENCES workspace ON DELETE CASCADE,
                  botId text NOT NULL REFERENCES bot ON DELETE CASCADE, name text NOT NULL, type text NOT NULL,
                  chunkTokens bigint NOT NULL, keyColumn text, contentColumns text[],
                  createdAt bigint NOT NULL, updatedAt bigint NOT NULL)
                """,
                "CREATE INDEX dataSource_on_botId_createdAt_id ON dataSource (botId, createdAt, id)",
                """
                CREATE TABLE dataSourceRow (
                  dataSourceId text NOT NULL REFERENCES dataSource ON DELETE CASCADE, key text COLLATE "C" NOT NULL,
                  title text, content text, url text, updatedAt bigint NOT NULL, PRIMARY KEY (dataSourceId, key))
                """,
                """
                CREATE TABLE syncJob (
                  id text PRIMARY KEY, workspaceId text NOT NULL REFERENCES workspace ON DELETE CASCADE,
                  dataSourceId text NOT NULL REFERENCES dataSource ON DELETE CASCADE, status text NOT NULL,
                  trigger text NOT NULL, modifiedRows bigint, unmodifiedRows bigint, totalDataSourceRows bigint,
                  totalTokens bigint, totalDocuments bigint, reason text, createdAt bigint NOT NULL,
                  startedAt bigint, finishedAt bigint, leaseExpiresAt bigint)
                """,
                "CREATE INDEX syncJob_on_dataSourceId_createdAt_id ON syncJob (dataSourceId, createdAt, id)",
                // One queued job a data source (triggers join it) and one running, whichever instance asks.
                "CREATE UNIQUE INDEX syncJob_one_queued ON syncJob (dataSourceId) WHERE status = 'queued'",
                "CREATE UNIQUE INDEX syncJob_one_running ON syncJob (dataSourceId) WHERE status = 'running'",
                """
                CREATE TABLE document (
                  id text PRIMARY KEY, dataSourceId text NOT NULL REFERENCES dataSource ON DELETE CASCADE,
                  rowKey text COLLATE "C" NOT NULL, position bigint NOT NULL, text text NOT NULL, tokens bigint NOT NULL,
                  createdAt bigint NOT NULL,
                  search tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED)
                """,
                "CREATE INDEX document_on_dataSourceId_rowKey ON document (dataSourceId, rowKey, position)",
                "CREATE INDEX document_search ON document USING GIN (search)",
                """
                CREATE TABLE rowHash (
                  dataSourceId text NOT NULL REFERENCES dataSource ON DELETE CASCADE, rowKey text COLLATE "C" NOT NULL,
                  contentHash text NOT NULL, PRIMARY KEY (dataSourceId, rowKey))
                """,
            ]
        ),
        (
            "v2: each hook's queue in due order, for claims that take from every hook at once",
            ["CREATE INDEX delivery_queued_by_hook ON delivery (hookId, nextAttemptAt) WHERE status = 'pending'"]
        ),
        (
            "v3: document vectors, the generation of each bot's documents (SQLite's v11)",
            [
                "ALTER TABLE document ADD COLUMN embedding bytea, ADD COLUMN embeddingModel text",
                "ALTER TABLE bot ADD COLUMN documentGeneration bigint NOT NULL DEFAULT 0",
            ]
        ),
        (
            "v4: rotation overlap, ordering, pacing and headers of hooks; event sequences (SQLite's v12)",
            [
                """
                ALTER TABLE hook ADD COLUMN previousSecret text, ADD COLUMN previousSecretExpiresAt bigint,
                  ADD COLUMN ordering text NOT NULL DEFAULT 'none', ADD COLUMN maxPerSecond bigint,
                  ADD COLUMN headers text, ADD COLUMN paceNextAt bigint
                """,
                "ALTER TABLE conversation ADD COLUMN eventSequence bigint NOT NULL DEFAULT 0",
                "ALTER TABLE delivery ADD COLUMN conversationId text, ADD COLUMN sequence bigint",
                """
                CREATE INDEX delivery_in_conversation ON delivery (hookId, conversationId, sequence)
                WHERE conversationId IS NOT NULL
                """,
                "CREATE INDEX syncJob_finished ON syncJob (finishedAt) WHERE status IN ('succeeded', 'failed')",
            ]
        ),
        (
            "v5: handoff timers, transfers and ratings (SQLite's v13)",
            [
                """
                ALTER TABLE bot ADD COLUMN escalationTimeoutSeconds bigint, ADD COLUMN escalationExpiredMessage text,
                  ADD COLUMN idleReleaseSeconds bigint, ADD COLUMN firstResponseSlaSeconds bigint
                """,
                """
                ALTER TABLE conversation ADD COLUMN expiresAt bigint, ADD COLUMN idleReleaseAt bigint,
                  ADD COLUMN slaDueAt bigint, ADD COLUMN firstAgentReplyAt bigint, ADD COLUMN ratingScore bigint,
                  ADD COLUMN ratingComment text, ADD COLUMN ratedAt bigint
                """,
                "CREATE INDEX conversation_expiresAt ON conversation (expiresAt) WHERE expiresAt IS NOT NULL",
                "CREATE INDEX conversation_idleReleaseAt ON conversation (idleReleaseAt) WHERE idleReleaseAt IS NOT NULL",
                "CREATE INDEX conversation_slaDueAt ON conversation (slaDueAt) WHERE slaDueAt IS NOT NULL",
                "CREATE INDEX conversation_rated ON conversation (botId, createdAt, id) WHERE ratedAt IS NOT NULL",
            ]
        ),
        (
            "v6: idempotency keys (SQLite's v14)",
            [
                """
                CREATE TABLE idempotencyKey (
                  scope text NOT NULL, key text NOT NULL, fingerprint text NOT NULL, status bigint, contentType text,
                  body bytea, createdAt bigint NOT NULL, PRIMARY KEY (scope, key))
                """,
                "CREATE INDEX idempotencyKey_createdAt ON idempotencyKey (createdAt)",
            ]
        ),
        (
            "v7: automatic assignment, agent status, capacity and presence (SQLite's v15)",
            [
                "ALTER TABLE bot ADD COLUMN assignment text NOT NULL DEFAULT 'claim'",
                """
                ALTER TABLE agent ADD COLUMN status text NOT NULL DEFAULT 'available',
                  ADD COLUMN capacity bigint NOT NULL DEFAULT 3, ADD COLUMN lastAssignedAt bigint
                """,
                """
                CREATE TABLE agentConnection (
                  agentId text NOT NULL REFERENCES agent ON DELETE CASCADE, instanceId text NOT NULL,
                  expiresAt bigint NOT NULL, PRIMARY KEY (agentId, instanceId))
                """,
            ]
        ),
        (
            "v8: sync schedules (SQLite's v16)",
            [
                "ALTER TABLE dataSource ADD COLUMN syncEveryMinutes bigint, ADD COLUMN nextSyncAt bigint",
                "CREATE INDEX dataSource_nextSyncAt ON dataSource (nextSyncAt) WHERE nextSyncAt IS NOT NULL",
            ]
        ),
        (
            "v9: storage usage by bot and data source, sync progress (SQLite's v17)",
            [
                "ALTER TABLE storageUsage ADD COLUMN botId text, ADD COLUMN dataSourceId text",
                "ALTER TABLE syncJob ADD COLUMN progress text",
            ]
        ),
        (
            "v10: sites from a sitemap, conditional page requests (SQLite's v18)",
            [
                """
                ALTER TABLE dataSource ADD COLUMN sitemapUrl text, ADD COLUMN maxPages bigint,
                  ADD COLUMN includePaths text[], ADD COLUMN excludePaths text[]
                """,
                "ALTER TABLE rowHash ADD COLUMN validators text",
            ]
        ),
    ]

    /// Applies the steps not yet applied, once per process (every background service asks before it starts, and
    /// they would queue on the lock), in one transaction under an advisory lock: instances started together wait
    /// for each other, and the second finds nothing left to do.
    func migrate() async throws {
        try await migration.perform { try await applyMigrations() }
    }

    private func applyMigrations() async throws {
        try await write { connection in
            try await connection.run("SELECT pg_advisory_xact_lock(\(Self.migrationLock))")
            try await connection.run(
                "CREATE TABLE IF NOT EXISTS schemaMigration (name text PRIMARY KEY, appliedAt bigint NOT NULL)"
            )
            var applied: Set<String> = []
            for try await name in try await connection.query(
                "SELECT name FROM schemaMigration",
                logger: PostgresConnection.quiet
            )
            .decode(String.self) {
                applied.insert(name)
            }
            for migration in Self.migrations where !applied.contains(migration.name) {
                for statement in migration.sql { try await connection.run(PostgresQuery(unsafeSQL: statement)) }
                try await connection.run(
                    "INSERT INTO schemaMigration (name, appliedAt) VALUES (\(migration.name), \(Timestamp.now()))"
                )
                logger.notice("Applied a migration", metadata: ["migration": "\(migration.name)"])
            }
        }
    }

    /// The advisory lock key migrations take (any constant no other code uses).
    static let migrationLock: Int64 = 0x5357_4d49_4752  // "SWMIGR"
}
