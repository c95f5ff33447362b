import GRDB

extension SQLiteStore {
    func search(botID: String, terms: SearchTerms, limit: Int) async throws -> [Passage] {
        try await pool.read { db in try Self.search(botID: botID, terms: terms, limit: limit, db) }
    }

    func botWithPassages(
        botID: String,
        workspaceID: String?,
        terms: SearchTerms,
        limit: Int
    ) async throws -> (bot: Bot, passages: [Passage]) {
        try await pool.read { db in
            (
                try Self.bot(id: botID, workspaceID: workspaceID, db),
                try Self.search(botID: botID, terms: terms, limit: limit, db)
            )
        }
    }

    private static func search(botID: String, terms: SearchTerms, limit: Int, _ db: Database) throws -> [Passage] {
        guard !terms.isEmpty else { return [] }
        let rows = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT document.rowid AS rowid, document.id, document.text, document.rowKey, document.dataSourceId,
                           dataSource.name AS dataSourceName, dataSourceRow.title, dataSourceRow.url,
                           bm25(documentSearch) AS rank
                    FROM documentSearch
                    JOIN document ON document.rowid = documentSearch.rowid
                    JOIN dataSource ON dataSource.id = document.dataSourceId
                    LEFT JOIN dataSourceRow
                      ON dataSourceRow.dataSourceId = document.dataSourceId AND dataSourceRow.key = document.rowKey
                    WHERE documentSearch MATCH ? AND dataSource.botId = ?
                    ORDER BY rank, document.rowid
                    LIMIT ?
                    """
            ),
            arguments: [terms.anyWordQuery, botID, limit]
        )
        let coverage = try coverage(of: rows.map { $0["rowid"] as Int64 }, by: terms, botID: botID, db)
        return rows.map { row in
            let rowid: Int64 = row["rowid"]
            return Passage(
                documentId: row["id"],
                text: row["text"],
                score: -(row["rank"] as Double),
                coverage: coverage[rowid, default: 0],
                source: MessageSource(
                    dataSourceId: row["dataSourceId"],
                    dataSourceName: row["dataSourceName"],
                    rowKey: row["rowKey"],
                    title: row["title"],
                    url: row["url"]
                )
            )
        }
    }

    /// For each document, the share of the question's words it contains, as the index's tokenizer reads them.
    /// A word that none of the bot's documents contain ("How *long*…", "*something*") counts half: it says
    /// little about which document answers, but a question made mostly of such words is not answered here.
    private static func coverage(
        of rowids: [Int64],
        by terms: SearchTerms,
        botID: String,
        _ db: Database
    ) throws -> [Int64: Double] {
        guard !rowids.isEmpty else { return [:] }
        var matches: [Int64: Int] = [:]
        var weight = 0.0
        let candidates = rowids.map(String.init).joined(separator: ",")
        for word in terms.words {
            let query = SearchTerms.quoted(word)
            let found = try Int64.fetchAll(
                db,
                sql: "SELECT rowid FROM documentSearch WHERE documentSearch MATCH ? AND rowid IN (\(candidates))",
                arguments: [query]
            )
            for rowid in found { matches[rowid, default: 0] += 1 }
            let known =
                try !found.isEmpty
                || Bool.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT EXISTS (
                              SELECT 1 FROM documentSearch
                              JOIN document ON document.rowid = documentSearch.rowid
                              JOIN dataSource ON dataSource.id = document.dataSourceId
                              WHERE documentSearch MATCH ? AND dataSource.botId = ?)
                            """
                    ),
                    arguments: [query, botID]
                ) == true
            weight += known ? 1 : 0.5
        }
        return matches.mapValues { Double($0) / weight }
    }
}
