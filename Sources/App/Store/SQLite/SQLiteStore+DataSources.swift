import Foundation
import GRDB

extension SQLiteStore {
    func createDataSource(_ settings: DataSourceSettings, botID: String, workspaceID: String) async throws -> DataSource
    {
        try await pool.write { db in
            _ = try Self.bot(id: botID, workspaceID: workspaceID, db)
            let source = DataSource.new(settings, botID: botID, workspaceID: workspaceID)
            try source.insert(db)
            return source
        }
    }

    func dataSources(botID: String, workspaceID: String, page: PageRequest) async throws -> Page<DataSource> {
        try await pool.read { db in
            _ = try Self.bot(id: botID, workspaceID: workspaceID, db)
            return try Self.page(DataSource.filter(DataSource.Columns.botId == botID), page, db)
        }
    }

    func dataSource(id: String, botID: String, workspaceID: String) async throws -> DataSource {
        try await pool.read { db in try Self.dataSource(id: id, botID: botID, workspaceID: workspaceID, db) }
    }

    func updateDataSource(
        id: String,
        botID: String,
        workspaceID: String,
        _ change: @escaping @Sendable (inout DataSource) throws -> Void
    ) async throws -> DataSource {
        try await pool.write { db in
            var source = try Self.dataSource(id: id, botID: botID, workspaceID: workspaceID, db)
            try change(&source)
            source.updatedAt = .now()
            try source.update(db)
            return source
        }
    }

    func deleteDataSource(id: String, botID: String, workspaceID: String) async throws {
        try await pool.write { db in
            _ = try Self.dataSource(id: id, botID: botID, workspaceID: workspaceID, db).delete(db)
            try Self.advanceDocumentGeneration(botID: botID, db)
        }
    }

    // MARK: Rows

    func writeRows(
        _ rows: [RowInput],
        replace: Bool,
        dataSourceID: String,
        botID: String,
        workspaceID: String
    ) async throws -> Int {
        try await pool.write { db in
            _ = try Self.dataSource(id: dataSourceID, botID: botID, workspaceID: workspaceID, db)
            if replace {
                try DataSourceRow.filter(DataSourceRow.Columns.dataSourceId == dataSourceID).deleteAll(db)
            }
            let now = Timestamp.now()
            for row in rows {
                try DataSourceRow(row, dataSourceID: dataSourceID, at: now).upsert(db)
            }
            return try DataSourceRow.filter(DataSourceRow.Columns.dataSourceId == dataSourceID).fetchCount(db)
        }
    }

    func deleteRow(key: String, dataSourceID: String, botID: String, workspaceID: String) async throws {
        try await pool.write { db in
            _ = try Self.dataSource(id: dataSourceID, botID: botID, workspaceID: workspaceID, db)
            let deleted = try DataSourceRow.filter(
                DataSourceRow.Columns.dataSourceId == dataSourceID && DataSourceRow.Columns.key == key
            ).deleteAll(db)
            if deleted == 0 { throw AppError.notFound("Row") }
        }
    }

    func rows(
        dataSourceID: String,
        botID: String,
        workspaceID: String,
        afterKey: String?,
        limit: Int
    ) async throws
        -> (rows: [DataSourceRow], nextKey: String?)
    {
        try await pool.read { db in
            _ = try Self.dataSource(id: dataSourceID, botID: botID, workspaceID: workspaceID, db)
            var request = DataSourceRow.filter(DataSourceRow.Columns.dataSourceId == dataSourceID)
            if let afterKey { request = request.filter(DataSourceRow.Columns.key > afterKey) }
            let rows = try request.order(DataSourceRow.Columns.key).limit(limit + 1).fetchAll(db)
            let page = Array(rows.prefix(limit))
            return (page, rows.count > limit ? page.last?.key : nil)
        }
    }

    static func dataSource(id: String, botID: String, workspaceID: String, _ db: Database) throws -> DataSource {
        guard
            let source = try DataSource.filter(
                DataSource.Columns.workspaceId == workspaceID && DataSource.Columns.botId == botID
                    && DataSource.Columns.id == id
            ).fetchOne(db)
        else { throw AppError.notFound("Data source") }
        return source
    }
}
