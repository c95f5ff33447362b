import Embedding
import Foundation
import GRDB

extension SQLiteStore {
    func botWithPassages(
        botID: String,
        workspaceID: String?,
        terms: SearchTerms,
        limit: Int
    ) async throws -> (bot: Bot, found: LexicalResults) {
        try await pool.read { db in
            (
                try Self.bot(id: botID, workspaceID: workspaceID, db),
                LexicalResults(
                    passages: try Self.search(botID: botID, terms: terms, limit: limit, db),
                    generation: try Self.documentGeneration(botID: botID, db)
                )
            )
        }
    }

    func passages(documentIDs: [String], botID: String) async throws -> [Passage] {
        guard !documentIDs.isEmpty else { return [] }
        return try await pool.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT document.id, document.text, document.rowKey, document.dataSourceId,
                           dataSource.name AS dataSourceName, dataSourceRow.title, dataSourceRow.url
                    FROM document
                    JOIN dataSource ON dataSource.id = document.dataSourceId
                    LEFT JOIN dataSourceRow
                      ON dataSourceRow.dataSourceId = document.dataSourceId AND dataSourceRow.key = document.rowKey
                    WHERE document.id IN (\(databaseQuestionMarks(count: documentIDs.count))) AND dataSource.botId = ?
                    """,
                arguments: StatementArguments(documentIDs + [botID])
            )
            let found = Dictionary(
                rows.map { row in (row["id"] as String, Self.passage(row, score: 0, coverage: 0)) },
                uniquingKeysWith: { first, _ in first }
            )
            return documentIDs.compactMap { found[$0] }
        }
    }

    func documentVectors(botID: String, model: String, dimension: Int) async throws -> DocumentVectors {
        try await pool.read { db in
            var vectors = DocumentVectors(
                generation: try Self.documentGeneration(botID: botID, db),
                dimension: dimension
            )
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT document.id, document.embedding FROM document
                    JOIN dataSource ON dataSource.id = document.dataSourceId
                    WHERE dataSource.botId = ? AND document.embeddingModel = ?
                    """,
                arguments: [botID, model]
            )
            while let row = try rows.next() {
                if let bytes = row.dataNoCopy(atIndex: 1) { vectors.append(documentID: row[0], bytes: bytes) }
            }
            return vectors
        }
    }

    private static func documentGeneration(botID: String, _ db: Database) throws -> Int64 {
        try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT documentGeneration FROM bot WHERE id = ?"),
            arguments: [botID]
        ) ?? 0
    }

    private static func passage(_ row: Row, score: Double, coverage: Double) -> Passage {
        Passage(
            documentId: row["id"],
            text: row["text"],
            score: score,
            coverage: coverage,
            source: MessageSource(
                dataSourceId: row["dataSourceId"],
                dataSourceName: row["dataSourceName"],
                rowKey: row["rowKey"],
                title: row["title"],
                url: row["url"]
            )
        )
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
            passage(row, score: -(row["rank"] as Double), coverage: coverage[row["rowid"] as Int64, default: 0])
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
