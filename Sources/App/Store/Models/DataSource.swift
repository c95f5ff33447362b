import Foundation
import GRDB

enum DataSourceType: String, Codable, CaseIterable, Sendable, DatabaseValueConvertible {
    case text, csv, url
}

/// Where a bot's knowledge comes from: rows that syncs turn into token-counted documents.
struct DataSource: AppRecord, Listed {
    static let defaultChunkTokens = 512
    static let chunkTokensRange = 16...8192

    var id: String
    var workspaceId: String
    var botId: String
    var name: String
    var type: DataSourceType
    var chunkTokens: Int
    /// csv only: the column whose value is each row's key.
    var keyColumn: String?
    /// csv only: the columns whose values make a row's content, as a JSON array.
    var contentColumns: [String]?
    var createdAt: Timestamp
    var updatedAt: Timestamp

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let workspaceId = Column(CodingKeys.workspaceId)
        static let botId = Column(CodingKeys.botId)
    }
}

/// One row of a data source, identified by its key.
struct DataSourceRow: AppRecord {
    static let databaseTableName = "dataSourceRow"

    var dataSourceId: String
    var key: String
    var title: String?
    var content: String?
    var url: String?
    var updatedAt: Timestamp

    enum Columns {
        static let dataSourceId = Column(CodingKeys.dataSourceId)
        static let key = Column(CodingKeys.key)
    }
}

extension DataSource {
    static func new(_ settings: DataSourceSettings, botID: String, workspaceID: String) -> DataSource {
        let now = Timestamp.now()
        return DataSource(
            id: newID(),
            workspaceId: workspaceID,
            botId: botID,
            name: settings.name,
            type: settings.type,
            chunkTokens: settings.chunkTokens,
            keyColumn: settings.keyColumn,
            contentColumns: settings.contentColumns,
            createdAt: now,
            updatedAt: now
        )
    }
}

extension DataSourceRow {
    init(_ row: RowInput, dataSourceID: String, at now: Timestamp) {
        self.init(
            dataSourceId: dataSourceID,
            key: row.key,
            title: row.title,
            content: row.content,
            url: row.url,
            updatedAt: now
        )
    }
}
