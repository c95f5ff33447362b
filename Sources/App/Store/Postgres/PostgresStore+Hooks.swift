import PostgresNIO

extension PostgresStore {
    func createHook(_ new: NewHook, botID: String, workspaceID: String) async throws -> Hook {
        try await write { connection in
            _ = try await Self.bot(id: botID, workspaceID: workspaceID, connection)
            let hook = Hook.new(new, botID: botID, workspaceID: workspaceID)
            try await connection.insert(hook)
            return hook
        }
    }

    func hooks(botID: String, workspaceID: String, page: PageRequest) async throws -> Page<Hook> {
        try await read { connection in
            _ = try await Self.bot(id: botID, workspaceID: workspaceID, connection)
            return try await Self.page(Hook.self, from: "hook", where: "botId = \(botID)", page, connection)
        }
    }

    func hook(id: String, botID: String, workspaceID: String) async throws -> Hook {
        try await read { connection in try await Self.hook(id: id, botID: botID, workspaceID: workspaceID, connection) }
    }

    func updateHook(id: String, botID: String, workspaceID: String, _ changes: HookChanges) async throws -> Hook {
        try await write { connection in
            var hook = try await Self.hook(id: id, botID: botID, workspaceID: workspaceID, lock: true, connection)
            if hook.apply(changes) {
                // What waited while the hook was off goes out now, ids unchanged.
                try await connection.run(
                    """
                    UPDATE delivery SET status = 'pending', nextAttemptAt = \(Timestamp.now())
                    WHERE hookId = \(hook.id) AND status = 'paused'
                    """
                )
                try await Self.notify(.deliveries, connection)
            }
            try await connection.update(hook)
            return hook
        }
    }

    func deleteHook(id: String, botID: String, workspaceID: String) async throws {
        try await write { connection in
            _ = try await Self.hook(id: id, botID: botID, workspaceID: workspaceID, connection)
            try await connection.run("DELETE FROM hook WHERE id = \(id)")
        }
    }

    func triggerHook(id: String) async throws -> Hook? {
        try await read { connection in
            try await connection.one(
                Hook.self,
                "SELECT * FROM hook WHERE id = \(id) AND type = \(HookType.syncTrigger)"
            )
        }
    }

    static func hook(
        id: String,
        botID: String,
        workspaceID: String,
        lock: Bool = false,
        _ connection: PostgresConnection
    ) async throws -> Hook {
        var query: PostgresQuery =
            "SELECT * FROM hook WHERE id = \(id) AND botId = \(botID) AND workspaceId = \(workspaceID)"
        if lock { query.sql += " FOR NO KEY UPDATE" }
        guard let hook = try await connection.one(Hook.self, query) else { throw AppError.notFound("Hook") }
        return hook
    }
}
