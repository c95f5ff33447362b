import Foundation
import GRDB
import Tokenizer

extension SQLiteStore {
    /// The schema, one named migration per change. Never edit a migration once it has landed.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: workspaces, keys, bots, agents") { db in
            try db.create(table: "workspace") { t in
                t.primaryKey("id", .text)
                t.column("name", .text).notNull()
                t.column("monthlyStorageTokenLimit", .integer).notNull()
                t.column("createdAt", .integer).notNull()
                t.column("updatedAt", .integer).notNull()
            }
            try db.create(table: "apiKey") { t in
                t.primaryKey("id", .text)
                t.belongsTo("workspace", onDelete: .cascade).notNull()
                t.column("tokenHash", .text).notNull().unique()
                t.column("createdAt", .integer).notNull()
            }
            try db.create(table: "storageUsage") { t in
                t.primaryKey("id", .text)
                t.belongsTo("workspace", onDelete: .cascade).notNull()
                t.column("tokens", .integer).notNull()
                t.column("createdAt", .integer).notNull()
            }
            try db.create(
                index: "storageUsage_on_workspaceId_createdAt",
                on: "storageUsage",
                columns: ["workspaceId", "createdAt"]
            )
            try db.create(table: "bot") { t in
                t.primaryKey("id", .text)
                t.belongsTo("workspace", onDelete: .cascade).notNull()
                t.column("name", .text).notNull()
                t.column("humanTakeoverEnabled", .boolean).notNull()
                t.column("createdAt", .integer).notNull()
                t.column("updatedAt", .integer).notNull()
            }
            try db.create(
                index: "bot_on_workspaceId_createdAt_id",
                on: "bot",
                columns: ["workspaceId", "createdAt", "id"]
            )
            try db.create(table: "agent") { t in
                t.primaryKey("id", .text)
                t.belongsTo("workspace", onDelete: .cascade).notNull()
                t.column("name", .text).notNull()
                t.column("email", .text).notNull()
                t.column("tokenHash", .text).notNull().unique()
                t.column("createdAt", .integer).notNull()
                t.column("updatedAt", .integer).notNull()
            }
            try db.create(
                index: "agent_on_workspaceId_createdAt_id",
                on: "agent",
                columns: ["workspaceId", "createdAt", "id"]
            )
        }
        migrator.registerMigration("v2: hooks") { db in
            try db.create(table: "hook") { t in
                t.primaryKey("id", .text)
                t.belongsTo("workspace", onDelete: .cascade).notNull()
                t.belongsTo("bot", onDelete: .cascade).notNull()
                t.column("type", .text).notNull()
                t.column("targetUrl", .text)
                t.column("dataSourceId", .text)
                t.column("secret", .text).notNull()
                t.column("enabled", .boolean).notNull()
                t.column("disabledReason", .text)
                t.column("lastError", .text)
                t.column("consecutiveFailures", .integer).notNull()
                t.column("createdAt", .integer).notNull()
                t.column("updatedAt", .integer).notNull()
            }
            try db.create(index: "hook_on_botId_createdAt_id", on: "hook", columns: ["botId", "createdAt", "id"])
        }
        migrator.registerMigration("v3: deliveries and attempts") { db in
            try db.create(table: "delivery") { t in
                t.primaryKey("id", .text)
                t.belongsTo("hook", onDelete: .cascade).notNull()
                t.column("event", .text).notNull()
                t.column("payload", .blob).notNull()
                t.column("status", .text).notNull()
                t.column("attemptCount", .integer).notNull()
                t.column("nextAttemptAt", .integer).notNull()
                t.column("lastResponseCode", .integer)
                t.column("lastError", .text)
                t.column("createdAt", .integer).notNull()
                t.column("updatedAt", .integer).notNull()
            }
            try db.create(
                index: "delivery_on_hookId_createdAt_id",
                on: "delivery",
                columns: ["hookId", "createdAt", "id"]
            )
            // The worker's question, "what is due?", answered from the index alone.
            try db.create(
                index: "delivery_due",
                on: "delivery",
                columns: ["nextAttemptAt"],
                condition: Column("status") == "pending"
            )
            try db.create(table: "deliveryAttempt") { t in
                t.primaryKey("id", .text)
                t.belongsTo("delivery", onDelete: .cascade).notNull()
                t.column("number", .integer).notNull()
                t.column("attemptedAt", .integer).notNull()
                t.column("responseCode", .integer)
                t.column("latencyMs", .double).notNull()
                t.column("error", .text)
                t.column("responseBody", .text)
            }
        }
        migrator.registerMigration("v4: conversations and messages") { db in
            try db.create(table: "conversation") { t in
                t.primaryKey("id", .text)
                t.belongsTo("workspace", onDelete: .cascade).notNull()
                t.belongsTo("bot", onDelete: .cascade).notNull()
                t.column("state", .text).notNull()
                t.column("channelType", .text).notNull()
                t.column("initialMessage", .text)
                t.column("userEmail", .text)
                t.column("userData", .blob)
                t.column("claimedByAgentId", .text).references("agent", onDelete: .setNull)
                t.column("claimedByName", .text)
                t.column("claimedByEmail", .text)
                t.column("visitorTokenHash", .text).notNull().unique()
                t.column("escalatedAt", .integer)
                t.column("claimedAt", .integer)
                t.column("resolvedAt", .integer)
                t.column("createdAt", .integer).notNull()
                t.column("updatedAt", .integer).notNull()
            }
            try db.create(
                index: "conversation_on_workspaceId_state_createdAt",
                on: "conversation",
                columns: ["workspaceId", "state", "createdAt", "id"]
            )
            try db.create(table: "message") { t in
                t.autoIncrementedPrimaryKey("seq")
                t.column("id", .text).notNull().unique()
                t.belongsTo("conversation", onDelete: .cascade).notNull()
                t.column("role", .text).notNull()
                t.column("text", .text).notNull()
                t.column("agentId", .text)
                t.column("agentName", .text)
                t.column("createdAt", .integer).notNull()
            }
            try db.create(index: "message_on_conversationId_seq", on: "message", columns: ["conversationId", "seq"])
        }
        migrator.registerMigration("v5: data sources and rows") { db in
            try db.create(table: "dataSource") { t in
                t.primaryKey("id", .text)
                t.belongsTo("workspace", onDelete: .cascade).notNull()
                t.belongsTo("bot", onDelete: .cascade).notNull()
                t.column("name", .text).notNull()
                t.column("type", .text).notNull()
                t.column("chunkTokens", .integer).notNull()
                t.column("keyColumn", .text)
                t.column("contentColumns", .text)
                t.column("createdAt", .integer).notNull()
                t.column("updatedAt", .integer).notNull()
            }
            try db.create(table: "dataSourceRow") { t in
                t.belongsTo("dataSource", onDelete: .cascade).notNull()
                t.column("key", .text).notNull()
                t.column("title", .text)
                t.column("content", .text)
                t.column("url", .text)
                t.column("updatedAt", .integer).notNull()
                t.primaryKey(["dataSourceId", "key"])
            }
        }
        migrator.registerMigration("v6: sync jobs, documents, row hashes") { db in
            try db.create(table: "syncJob") { t in
                t.primaryKey("id", .text)
                t.belongsTo("workspace", onDelete: .cascade).notNull()
                t.belongsTo("dataSource", onDelete: .cascade).notNull()
                t.column("status", .text).notNull()
                t.column("trigger", .text).notNull()
                t.column("modifiedRows", .integer)
                t.column("unmodifiedRows", .integer)
                t.column("totalDataSourceRows", .integer)
                t.column("totalTokens", .integer)
                t.column("totalDocuments", .integer)
                t.column("reason", .text)
                t.column("createdAt", .integer).notNull()
                t.column("startedAt", .integer)
                t.column("finishedAt", .integer)
            }
            try db.create(index: "syncJob_on_status_createdAt", on: "syncJob", columns: ["status", "createdAt"])
            try db.create(table: "document") { t in
                t.primaryKey("id", .text)
                t.belongsTo("dataSource", onDelete: .cascade).notNull()
                t.column("rowKey", .text).notNull()
                t.column("position", .integer).notNull()
                t.column("text", .text).notNull()
                t.column("tokens", .integer).notNull()
                t.column("createdAt", .integer).notNull()
            }
            try db.create(
                index: "document_on_dataSourceId_rowKey",
                on: "document",
                columns: ["dataSourceId", "rowKey"]
            )
            try db.create(table: "rowHash") { t in
                t.belongsTo("dataSource", onDelete: .cascade).notNull()
                t.column("rowKey", .text).notNull()
                t.column("contentHash", .text).notNull()
                t.primaryKey(["dataSourceId", "rowKey"])
            }
        }
        migrator.registerMigration("v7: token encoding per workspace") { db in
            try db.alter(table: "workspace") { t in
                t.add(column: "tokenEncoding", .text).notNull().defaults(to: Encoding.Name.cl100kBase.rawValue)
            }
        }
        migrator.registerMigration("v8: full-text search over documents, message sources") { db in
            try db.alter(table: "message") { t in t.add(column: "sources", .text) }
            // Kept in step with `document` by triggers, so every sync's transaction updates the index too.
            try db.create(virtualTable: "documentSearch", using: FTS5()) { t in
                t.synchronize(withTable: "document")
                t.tokenizer = .porter(wrapping: .unicode61())
                t.column("text")
            }
        }
        migrator.registerMigration("v9: the due index covers the claim scan") { db in
            // The claim scan passes over busy hooks' rows; with hookId and id in the index it never reads the table
            // to do so (a deep backlog made those reads the worker's largest cost).
            try db.drop(index: "delivery_due")
            try db.create(
                index: "delivery_due",
                on: "delivery",
                columns: ["nextAttemptAt", "hookId", "id"],
                condition: Column("status") == "pending"
            )
        }
        migrator.registerMigration("v10: named owner keys") { db in
            try db.alter(table: "apiKey") { t in t.add(column: "name", .text).notNull().defaults(to: "Default") }
            try db.create(
                index: "apiKey_on_workspaceId_createdAt",
                on: "apiKey",
                columns: ["workspaceId", "createdAt"]
            )
        }
        migrator.registerMigration("v11: document vectors, the generation of each bot's documents") { db in
            try db.alter(table: "document") { t in
                t.add(column: "embedding", .blob)
                t.add(column: "embeddingModel", .text)
            }
            try db.alter(table: "bot") { t in
                t.add(column: "documentGeneration", .integer).notNull().defaults(to: 0)
            }
        }
        migrator.registerMigration("v12: rotation overlap, ordering, pacing and headers of hooks; event sequences") {
            db in
            try db.alter(table: "hook") { t in
                t.add(column: "previousSecret", .text)
                t.add(column: "previousSecretExpiresAt", .integer)
                t.add(column: "ordering", .text).notNull().defaults(to: "none")
                t.add(column: "maxPerSecond", .integer)
                t.add(column: "headers", .text)
                // Microseconds: when the next attempt of a paced hook may start. Kept out of the model, so no
                // write of a whole hook row ever sets it back.
                t.add(column: "paceNextAt", .integer)
            }
            try db.alter(table: "conversation") { t in
                t.add(column: "eventSequence", .integer).notNull().defaults(to: 0)
            }
            try db.alter(table: "delivery") { t in
                t.add(column: "conversationId", .text)
                t.add(column: "sequence", .integer)
            }
            // An ordered hook's next event waits for the earlier ones of its conversation still on their way.
            try db.create(
                index: "delivery_in_conversation",
                on: "delivery",
                columns: ["hookId", "conversationId", "sequence"],
                condition: Column("conversationId") != nil
            )
            try db.create(
                index: "syncJob_finished",
                on: "syncJob",
                columns: ["finishedAt"],
                condition: ["succeeded", "failed"].contains(Column("status"))
            )
        }
        migrator.registerMigration("v13: handoff timers, transfers and ratings") { db in
            try db.alter(table: "bot") { t in
                t.add(column: "escalationTimeoutSeconds", .integer)
                t.add(column: "escalationExpiredMessage", .text)
                t.add(column: "idleReleaseSeconds", .integer)
                t.add(column: "firstResponseSlaSeconds", .integer)
            }
            try db.alter(table: "conversation") { t in
                t.add(column: "expiresAt", .integer)
                t.add(column: "idleReleaseAt", .integer)
                t.add(column: "slaDueAt", .integer)
                t.add(column: "firstAgentReplyAt", .integer)
                t.add(column: "ratingScore", .integer)
                t.add(column: "ratingComment", .text)
                t.add(column: "ratedAt", .integer)
            }
            // Each timer's due conversations, found without reading the ones whose timer is not running.
            for deadline in ["expiresAt", "idleReleaseAt", "slaDueAt"] {
                try db.create(
                    index: "conversation_\(deadline)",
                    on: "conversation",
                    columns: [deadline],
                    condition: Column(deadline) != nil
                )
            }
            try db.create(
                index: "conversation_rated",
                on: "conversation",
                columns: ["botId", "createdAt", "id"],
                condition: Column("ratedAt") != nil
            )
        }
        migrator.registerMigration("v14: idempotency keys") { db in
            try db.create(table: "idempotencyKey") { t in
                t.column("scope", .text).notNull()
                t.column("key", .text).notNull()
                t.column("fingerprint", .text).notNull()
                // Null while the first request runs.
                t.column("status", .integer)
                t.column("contentType", .text)
                t.column("body", .blob)
                t.column("createdAt", .integer).notNull().indexed()
                t.primaryKey(["scope", "key"])
            }
        }
        migrator.registerMigration("v15: automatic assignment, agent status, capacity and presence") { db in
            try db.alter(table: "bot") { t in
                t.add(column: "assignment", .text).notNull().defaults(to: "claim")
            }
            try db.alter(table: "agent") { t in
                t.add(column: "status", .text).notNull().defaults(to: "available")
                t.add(column: "capacity", .integer).notNull().defaults(to: 3)
                t.add(column: "lastAssignedAt", .integer)
            }
            // An instance's open inbox streams, by agent: renewed while open, lapsing when not.
            try db.create(table: "agentConnection") { t in
                t.column("agentId", .text).notNull().references("agent", onDelete: .cascade)
                t.column("instanceId", .text).notNull()
                t.column("expiresAt", .integer).notNull()
                t.primaryKey(["agentId", "instanceId"])
            }
        }
        migrator.registerMigration("v16: sync schedules") { db in
            try db.alter(table: "dataSource") { t in
                t.add(column: "syncEveryMinutes", .integer)
                t.add(column: "nextSyncAt", .integer)
            }
            try db.create(
                index: "dataSource_nextSyncAt",
                on: "dataSource",
                columns: ["nextSyncAt"],
                condition: Column("nextSyncAt") != nil
            )
        }
        migrator.registerMigration("v17: storage usage by bot and data source, sync progress") { db in
            try db.alter(table: "syncJob") { t in t.add(column: "progress", .text) }
            // No foreign keys: what a deleted bot's syncs consumed still counts in its month.
            try db.alter(table: "storageUsage") { t in
                t.add(column: "botId", .text)
                t.add(column: "dataSourceId", .text)
            }
        }
        migrator.registerMigration("v18: sites from a sitemap, conditional page requests") { db in
            try db.alter(table: "dataSource") { t in
                t.add(column: "sitemapUrl", .text)
                t.add(column: "maxPages", .integer)
                t.add(column: "includePaths", .text)
                t.add(column: "excludePaths", .text)
            }
            try db.alter(table: "rowHash") { t in t.add(column: "validators", .text) }
        }
        return migrator
    }
}
