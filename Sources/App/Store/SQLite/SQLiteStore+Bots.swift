import Foundation
import GRDB

// MARK: Bots

extension SQLiteStore {
    func createBot(
        workspaceID: String,
        name: String,
        humanTakeoverEnabled: Bool,
        handoff: HandoffSettings
    ) async throws -> Bot {
        let bot = Bot.new(
            workspaceID: workspaceID,
            name: name,
            humanTakeoverEnabled: humanTakeoverEnabled,
            handoff: handoff
        )
        try await pool.write { db in try bot.insert(db) }
        return bot
    }

    func bots(workspaceID: String, page: PageRequest) async throws -> Page<Bot> {
        try await pool.read { db in
            try Self.page(Bot.filter(Bot.Columns.workspaceId == workspaceID), page, db)
        }
    }

    func bot(id: String, workspaceID: String?) async throws -> Bot {
        try await pool.read { db in try Self.bot(id: id, workspaceID: workspaceID, db) }
    }

    func updateBot(id: String, workspaceID: String, _ changes: BotChanges) async throws -> Bot {
        try await pool.write { db in
            var bot = try Self.bot(id: id, workspaceID: workspaceID, db)
            bot.change(changes)
            try bot.update(db)
            return bot
        }
    }

    func deleteBot(id: String, workspaceID: String) async throws {
        try await pool.write { db in
            let deleted = try Bot.filter(Bot.Columns.workspaceId == workspaceID && Bot.Columns.id == id).deleteAll(db)
            if deleted == 0 { throw AppError.notFound("Bot") }
        }
    }

    /// A bot of `workspaceID` (any workspace when nil, for the public routes), or 404.
    static func bot(id: String, workspaceID: String?, _ db: Database) throws -> Bot {
        let statement = try db.cachedStatement(
            sql: "SELECT * FROM bot WHERE id = ? AND (?2 IS NULL OR workspaceId = ?2)"
        )
        guard let bot = try Bot.fetchOne(statement, arguments: [id, workspaceID]) else {
            throw AppError.notFound("Bot")
        }
        return bot
    }
}
