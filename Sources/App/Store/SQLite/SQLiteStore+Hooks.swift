import Foundation
import GRDB

// MARK: - Hooks

extension SQLiteStore {
    func createHook(_ new: NewHook, botID: String, workspaceID: String) async throws -> Hook {
        try await pool.write { db in
            _ = try Self.bot(id: botID, workspaceID: workspaceID, db)
            let hook = Hook.new(new, botID: botID, workspaceID: workspaceID)
            try hook.insert(db)
            return hook
        }
    }

    func hooks(botID: String, workspaceID: String, page: PageRequest) async throws -> Page<Hook> {
        try await pool.read { db in
            _ = try Self.bot(id: botID, workspaceID: workspaceID, db)
            return try Self.page(Hook.filter(Hook.Columns.botId == botID), page, db)
        }
    }

    func hook(id: String, botID: String, workspaceID: String) async throws -> Hook {
        try await pool.read { db in try Self.hook(id: id, botID: botID, workspaceID: workspaceID, db) }
    }

    func updateHook(id: String, botID: String, workspaceID: String, _ changes: HookChanges) async throws -> Hook {
        try await pool.write { db in
            var hook = try Self.hook(id: id, botID: botID, workspaceID: workspaceID, db)
            if hook.apply(changes) {
                // What waited while the hook was off goes out now, ids unchanged.
                try Delivery.filter(
                    Delivery.Columns.hookId == hook.id && Delivery.Columns.status == DeliveryStatus.paused.rawValue
                ).updateAll(
                    db,
                    Delivery.Columns.status.set(to: DeliveryStatus.pending.rawValue),
                    Delivery.Columns.nextAttemptAt.set(to: Timestamp.now())
                )
                wakeWorkerOnCommit(db)
            }
            try hook.update(db)
            return hook
        }
    }

    func deleteHook(id: String, botID: String, workspaceID: String) async throws {
        try await pool.write { db in
            let hook = try Self.hook(id: id, botID: botID, workspaceID: workspaceID, db)
            try hook.delete(db)
        }
    }

    static func hook(id: String, botID: String, workspaceID: String, _ db: Database) throws -> Hook {
        guard
            let hook = try Hook.filter(
                Hook.Columns.workspaceId == workspaceID && Hook.Columns.botId == botID && Hook.Columns.id == id
            ).fetchOne(db)
        else { throw AppError.notFound("Hook") }
        return hook
    }
}

extension SQLiteStore {
    func triggerHook(id: String) async throws -> Hook? {
        try await pool.read { db in
            try Hook.filter(Hook.Columns.id == id && Hook.Columns.type == HookType.syncTrigger.rawValue).fetchOne(db)
        }
    }
}
