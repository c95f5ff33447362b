import Foundation
import PostgresNIO

extension PostgresStore {
    func createDataSource(_ settings: DataSourceSettings, botID: String, workspaceID: String) async throws -> DataSource
    {
        try await write { connection in
            _ = try await Self.bot(id: botID, workspaceID: workspaceID, connection)
            let source = DataSource.new(settings, botID: botID, workspaceID: workspaceID)
            try await connection.insert(source)
            return source
        }
    }

    func dataSources(botID: String, workspaceID: String, page: PageRequest) async throws -> Page<DataSource> {
        try await read { connection in
            _ = try await Self.bot(id: botID, workspaceID: workspaceID, connection)
            return try await Self.page(DataSource.self, from: "dataSource", where: "botId = \(botID)", page, connection)
        }
    }

    func dataSource(id: String, botID: String, workspaceID: String) async throws -> DataSource {
        try await read { connection in
            try await Self.dataSource(id: id, botID: botID, workspaceID: workspaceID, connection)
        }
    }

    func updateDataSource(
        id: String,
        botID: String,
        workspaceID: String,
        _ change: @escaping @Sendable (inout DataSource) throws -> Void
    ) async throws -> DataSource {
        try await write { connection in
            var source = try await Self.dataSource(
                id: id,
                botID: botID,
                workspaceID: workspaceID,
                lock: true,
                connection
            )
            try change(&source)
            source.updatedAt = .now()
            try await connection.update(source)
            return source
        }
    }

    func deleteDataSource(id: String, botID: String, workspaceID: String) async throws {
        try await write { connection in
            _ = try await Self.dataSource(id: id, botID: botID, workspaceID: workspaceID, connection)
            try await connection.run("DELETE FROM dataSource WHERE id = \(id)")
            try await Self.advanceDocumentGeneration(botID: botID, connection)
        }
    }

    func writeRows(
        _ rows: [RowInput],
        replace: Bool,
        dataSourceID: String,
        botID: String,
        workspaceID: String
    ) async throws -> Int {
        try await write { connection in
            _ = try await Self.dataSource(
                id: dataSourceID,
                botID: botID,
                workspaceID: workspaceID,
                lock: true,
                connection
            )
            if replace { try await connection.run("DELETE FROM dataSourceRow WHERE dataSourceId = \(dataSourceID)") }
            try await Self.insertRows(rows, dataSourceID: dataSourceID, at: .now(), connection)
            return try await connection.value(
                Int.self,
                "SELECT COUNT(*) FROM dataSourceRow WHERE dataSourceId = \(dataSourceID)"
            ) ?? 0
        }
    }

    /// Inserts or updates `rows` by key in a few statements: the rows travel as JSON, the last of a key winning as
    /// it would row by row (one statement may not change a row twice).
    static func insertRows(
        _ rows: [RowInput],
        dataSourceID: String,
        at now: Timestamp,
        _ connection: PostgresConnection
    ) async throws {
        var latest: [String: Int] = [:]
        for (index, row) in rows.enumerated() { latest[row.key] = index }
        let unique: [RowInput] = rows.enumerated().filter { latest[$0.element.key] == $0.offset }.map(\.element)
        for start in stride(from: 0, to: unique.count, by: 5_000) {
            let end = min(start + 5_000, unique.count)
            let batch = String(decoding: try JSONEncoder().encode(Array(unique[start..<end])), as: UTF8.self)
            try await connection.run(
                """
                INSERT INTO dataSourceRow (dataSourceId, key, title, content, url, updatedAt)
                SELECT \(dataSourceID), key, title, content, url, \(now)
                FROM jsonb_to_recordset(\(batch)::jsonb) AS row(key text, title text, content text, url text)
                ON CONFLICT (dataSourceId, key) DO UPDATE SET title = excluded.title, content = excluded.content,
                  url = excluded.url, updatedAt = excluded.updatedAt
                """
            )
        }
    }

    func deleteRow(key: String, dataSourceID: String, botID: String, workspaceID: String) async throws {
        try await write { connection in
            _ = try await Self.dataSource(id: dataSourceID, botID: botID, workspaceID: workspaceID, connection)
            let deleted = try await connection.run(
                "DELETE FROM dataSourceRow WHERE dataSourceId = \(dataSourceID) AND key = \(key)"
            )
            if deleted == 0 { throw AppError.notFound("Row") }
        }
    }

    func rows(
        dataSourceID: String,
        botID: String,
        workspaceID: String,
        afterKey: String?,
        limit: Int
    ) async throws -> (rows: [DataSourceRow], nextKey: String?) {
        try await read { connection in
            _ = try await Self.dataSource(id: dataSourceID, botID: botID, workspaceID: workspaceID, connection)
            let rows = try await connection.all(
                DataSourceRow.self,
                """
                SELECT * FROM dataSourceRow
                WHERE dataSourceId = \(dataSourceID) AND (\(afterKey)::text IS NULL OR key > \(afterKey))
                ORDER BY key LIMIT \(limit + 1)
                """
            )
            let page = Array(rows.prefix(limit))
            return (page, rows.count > limit ? page.last?.key : nil)
        }
    }

    static func dataSource(
        id: String,
        botID: String,
        workspaceID: String,
        lock: Bool = false,
        _ connection: PostgresConnection
    ) async throws -> DataSource {
        var query: PostgresQuery =
            "SELECT * FROM dataSource WHERE id = \(id) AND botId = \(botID) AND workspaceId = \(workspaceID)"
        if lock { query.sql += " FOR NO KEY UPDATE" }
        guard let source = try await connection.one(DataSource.self, query) else {
            throw AppError.notFound("Data source")
        }
        return source
    }
}
