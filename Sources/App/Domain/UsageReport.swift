import Foundation

/// A calendar month in UTC, as `YYYY-MM`: the window of a usage report.
struct UsageMonth: Sendable, Equatable {
    let year: Int
    let month: Int

    /// `2026-12`; nil for anything else (months 01–12, years 2000–9999).
    init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) }),
            let year = Int(parts[0]), let month = Int(parts[1]), (2000...9999).contains(year), (1...12).contains(month)
        else { return nil }
        (self.year, self.month) = (year, month)
    }

    /// The month that holds `moment`.
    init(of moment: Timestamp) {
        let text = String(moment.iso8601.prefix(7))
        self = UsageMonth(text)!
    }

    var text: String { String(format: "%04d-%02d", year, month) }
    var start: Timestamp { Self.timestamp(year: year, month: month) }
    var end: Timestamp {
        month == 12 ? Self.timestamp(year: year + 1, month: 1) : Self.timestamp(year: year, month: month + 1)
    }
    var days: Int { Int((end.millisecondsSince1970 - start.millisecondsSince1970) / Self.dayMilliseconds) }

    static let dayMilliseconds: Int64 = 86_400_000

    private static func timestamp(year: Int, month: Int) -> Timestamp {
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = 1
        return Timestamp(millisecondsSince1970: Int64(timegm(&parts)) * 1000)
    }
}

/// The storage tokens a month's syncs consumed, by day and by data source, as the store sums them.
struct UsageEntry: Sendable {
    /// Nil for syncs recorded before usage named its bot and data source.
    let botId: String?
    let botName: String?
    let dataSourceId: String?
    /// Nil once the data source (or its bot) is deleted: what it consumed still counts.
    let dataSourceName: String?
    /// Days since the start of the month, from 0.
    let day: Int
    let tokens: Int
}

/// `GET /api/v1/workspace/usage`: a month's storage tokens per day, per bot and per data source, against the plan.
struct UsageReport: Encodable, Sendable {
    struct Day: Encodable, Sendable {
        let date: String
        let tokens: Int
    }

    /// Ids and names are null where the bot or data source is gone (or, for an id, was not recorded).
    struct DataSourceUse: Encodable, Sendable {
        let dataSourceId: String?
        let name: String?
        let tokens: Int

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(dataSourceId, forKey: .dataSourceId)
            try container.encode(name, forKey: .name)
            try container.encode(tokens, forKey: .tokens)
        }

        private enum CodingKeys: String, CodingKey { case dataSourceId, name, tokens }
    }

    struct BotUse: Encodable, Sendable {
        let botId: String?
        let name: String?
        let tokens: Int
        let dataSources: [DataSourceUse]

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(botId, forKey: .botId)
            try container.encode(name, forKey: .name)
            try container.encode(tokens, forKey: .tokens)
            try container.encode(dataSources, forKey: .dataSources)
        }

        private enum CodingKeys: String, CodingKey { case botId, name, tokens, dataSources }
    }

    let month: String
    let monthlyStorageTokenLimit: Int
    let totalTokens: Int
    /// Every day of the month, in order, zero where nothing was consumed.
    let days: [Day]
    /// Most tokens first.
    let bots: [BotUse]

    init(month: UsageMonth, limit: Int, entries: [UsageEntry]) {
        self.month = month.text
        monthlyStorageTokenLimit = limit
        totalTokens = entries.reduce(0) { $0 + $1.tokens }
        var perDay = [Int](repeating: 0, count: month.days)
        for entry in entries where perDay.indices.contains(entry.day) { perDay[entry.day] += entry.tokens }
        days = perDay.enumerated().map { day, tokens in
            Day(date: "\(month.text)-\(String(format: "%02d", day + 1))", tokens: tokens)
        }
        bots = Dictionary(grouping: entries, by: \.botId).map { botID, entries in
            let sources = Dictionary(grouping: entries, by: \.dataSourceId).map { sourceID, entries in
                DataSourceUse(
                    dataSourceId: sourceID,
                    name: entries.first?.dataSourceName,
                    tokens: entries.reduce(0) { $0 + $1.tokens }
                )
            }
            return BotUse(
                botId: botID,
                name: entries.first?.botName,
                tokens: entries.reduce(0) { $0 + $1.tokens },
                dataSources: sources.sorted { ($0.tokens, $0.dataSourceId ?? "") > ($1.tokens, $1.dataSourceId ?? "") }
            )
        }
        .sorted { ($0.tokens, $0.botId ?? "") > ($1.tokens, $1.botId ?? "") }
    }
}
