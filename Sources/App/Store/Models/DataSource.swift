import Foundation
import GRDB

enum DataSourceType: String, Codable, CaseIterable, Sendable, DatabaseValueConvertible {
    case text, csv, url, file
}

/// Where a bot's knowledge comes from: rows that syncs turn into token-counted documents.
struct DataSource: AppRecord, Listed {
    static let defaultChunkTokens = 512
    static let chunkTokensRange = 16...8192
    static let syncEveryMinutesRange = 15...10_080

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
    /// url only: the sitemap whose pages are its rows, with how many to take and which paths (`SiteSettings`).
    var sitemapUrl: String?
    var maxPages: Int?
    var includePaths: [String]?
    var excludePaths: [String]?
    /// How often it syncs by itself, in minutes; nil when only on demand.
    var syncEveryMinutes: Int?
    /// When its schedule queues the next sync; nil without a schedule.
    var nextSyncAt: Timestamp?
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
        let now = settings.createdAt
        var source = DataSource(
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
        source.schedule(everyMinutes: settings.syncEveryMinutes, from: now)
        source.site = settings.site
        return source
    }
}

extension DataSource {
    /// The site a sitemap source crawls; nil for every other data source.
    var site: SiteSettings? {
        get {
            sitemapUrl.map {
                SiteSettings(
                    sitemapUrl: $0,
                    maxPages: maxPages ?? SiteSettings.defaultMaxPages,
                    include: includePaths ?? [],
                    exclude: excludePaths ?? []
                )
            }
        }
        set {
            sitemapUrl = newValue?.sitemapUrl
            maxPages = newValue?.maxPages
            includePaths = newValue?.include
            excludePaths = newValue?.exclude
        }
    }

    /// Puts the data source on a schedule of `minutes` (nil: none), its first sync one interval from `now`.
    mutating func schedule(everyMinutes minutes: Int?, from now: Timestamp) {
        syncEveryMinutes = minutes
        nextSyncAt = minutes.map { now.adding(.seconds($0 * 60)) }
    }

    /// The schedule's next time once the sync due at `nextSyncAt` is queued at `now`: the first time of the
    /// interval after `now`, so a schedule that missed several intervals (a stop) catches up once, not once for
    /// each, and keeps its cadence.
    func scheduleAfterQueueing(at now: Timestamp) -> Timestamp? {
        guard let minutes = syncEveryMinutes, let due = nextSyncAt else { return nil }
        let interval = Int64(minutes) * 60_000
        let missed = max(0, now.millisecondsSince1970 - due.millisecondsSince1970) / interval
        return Timestamp(millisecondsSince1970: due.millisecondsSince1970 + (missed + 1) * interval)
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
