import Embedding
import PostgresNIO

extension PostgresStore {
    /// Ranked by PostgreSQL's full-text search: the question's words, stemmed as the documents' generated
    /// `tsvector` is ("english"), any of them matching, ordered by `ts_rank_cd` (how many, how close, how often).
    func botWithPassages(
        botID: String,
        workspaceID: String?,
        terms: SearchTerms,
        limit: Int
    ) async throws
        -> (bot: Bot, found: LexicalResults)
    {
        try await read { connection in
            (
                try await Self.bot(id: botID, workspaceID: workspaceID, connection),
                LexicalResults(
                    passages: try await Self.search(botID: botID, terms: terms, limit: limit, connection),
                    generation: try await Self.documentGeneration(botID: botID, connection)
                )
            )
        }
    }

    func passages(documentIDs: [String], botID: String) async throws -> [Passage] {
        guard !documentIDs.isEmpty else { return [] }
        return try await read { connection in
            let rows = try await connection.query(
                """
                SELECT document.id, document.text, document.rowKey, document.dataSourceId, dataSource.name,
                       dataSourceRow.title, dataSourceRow.url
                FROM document
                JOIN dataSource ON dataSource.id = document.dataSourceId
                LEFT JOIN dataSourceRow
                  ON dataSourceRow.dataSourceId = document.dataSourceId AND dataSourceRow.key = document.rowKey
                WHERE document.id = ANY(\(documentIDs)) AND dataSource.botId = \(botID)
                """,
                logger: PostgresConnection.quiet
            )
            var found: [String: Passage] = [:]
            for try await (id, text, rowKey, dataSourceID, dataSourceName, title, url) in rows.decode(
                (String, String, String, String, String, String?, String?).self
            ) {
                found[id] = Self.passage(id, text, rowKey, dataSourceID, dataSourceName, title, url, score: 0)
            }
            return documentIDs.compactMap { found[$0] }
        }
    }

    /// The generation is read first: a sync committing between the two reads leaves newer vectors under an older
    /// generation, which only makes the next question read them again.
    func documentVectors(botID: String, model: String, dimension: Int) async throws -> DocumentVectors {
        try await read { connection in
            var vectors = DocumentVectors(
                generation: try await Self.documentGeneration(botID: botID, connection),
                dimension: dimension
            )
            let rows = try await connection.query(
                """
                SELECT document.id, document.embedding FROM document
                JOIN dataSource ON dataSource.id = document.dataSourceId
                WHERE dataSource.botId = \(botID) AND document.embeddingModel = \(model)
                """,
                logger: PostgresConnection.quiet
            )
            for try await (id, embedding) in rows.decode((String, ByteBuffer).self) {
                vectors.append(documentID: id, bytes: embedding.readableBytesView)
            }
            return vectors
        }
    }

    /// A passage from the columns both reads select, in their order.
    private static func passage(
        _ id: String,
        _ text: String,
        _ rowKey: String,
        _ dataSourceID: String,
        _ dataSourceName: String,
        _ title: String?,
        _ url: String?,
        score: Double
    ) -> Passage {
        let source = MessageSource(
            dataSourceId: dataSourceID,
            dataSourceName: dataSourceName,
            rowKey: rowKey,
            title: title,
            url: url
        )
        return Passage(documentId: id, text: text, score: score, coverage: 0, source: source)
    }

    private static func documentGeneration(botID: String, _ connection: PostgresConnection) async throws -> Int64 {
        try await connection.value(Int64.self, "SELECT documentGeneration FROM bot WHERE id = \(botID)") ?? 0
    }

    private static func search(
        botID: String,
        terms: SearchTerms,
        limit: Int,
        _ connection: PostgresConnection
    )
        async throws -> [Passage]
    {
        guard !terms.isEmpty else { return [] }
        let rows = try await connection.execute(
            SearchStatement(words: terms.words, botID: botID, limit: limit),
            logger: PostgresConnection.quiet
        )
        var found: [(Passage, matched: Int)] = []
        for try await (id, text, rowKey, dataSourceID, dataSourceName, title, url, rank, matched) in rows {
            found.append(
                (Self.passage(id, text, rowKey, dataSourceID, dataSourceName, title, url, score: rank), matched)
            )
        }
        guard !found.isEmpty else { return [] }
        let weight = try await questionWeight(botID: botID, terms: terms, connection)
        return found.map { passage, matched in
            var passage = passage
            passage.coverage = Double(matched) / weight
            return passage
        }
    }

    /// What the question's words weigh: one for each word some document of the bot contains, half for the others
    /// ("How *long*…", "*something*" say little about which document answers). Words the index leaves out (its
    /// own stop words, such as "over") weigh nothing: no document can be seen to contain them.
    private static func questionWeight(
        botID: String,
        terms: SearchTerms,
        _ connection: PostgresConnection
    )
        async throws -> Double
    {
        let rows = try await connection.query(
            """
            SELECT COUNT(*), COUNT(*) FILTER (WHERE EXISTS (
              SELECT 1 FROM document JOIN dataSource ON dataSource.id = document.dataSourceId
              WHERE dataSource.botId = \(botID) AND document.search @@ plainto_tsquery('english', word)))
            FROM unnest(\(terms.words)) AS word WHERE plainto_tsquery('english', word)::text <> ''
            """,
            logger: PostgresConnection.quiet
        )
        for try await (indexed, known) in rows.decode((Int, Int).self) {
            return max(Double(known) + Double(indexed - known) * 0.5, 1)
        }
        return 1
    }
}

/// The search, prepared: planning it cost more than running it, and every visitor's message runs it.
private struct SearchStatement: PostgresPreparedStatement {
    static let sql = """
        WITH question AS (
          SELECT string_agg(plainto_tsquery('english', word)::text, ' | ')::tsquery AS query
          FROM unnest($1::text[]) AS word WHERE plainto_tsquery('english', word)::text <> ''
        ), words AS (
          SELECT plainto_tsquery('english', word) AS query FROM unnest($1::text[]) AS word
        ), found AS (
          SELECT document.id, document.text, document.rowKey, document.dataSourceId, document.search,
                 dataSource.name AS dataSourceName, ts_rank_cd(document.search, question.query, 1) AS rank
          FROM document
          JOIN dataSource ON dataSource.id = document.dataSourceId, question
          WHERE dataSource.botId = $2 AND document.search @@ question.query
          ORDER BY rank DESC, document.id
          LIMIT $3
        )
        SELECT found.id, found.text, found.rowKey, found.dataSourceId, found.dataSourceName,
               dataSourceRow.title, dataSourceRow.url, found.rank::float8,
               (SELECT COUNT(*) FROM words WHERE found.search @@ words.query)::bigint AS matched
        FROM found
        LEFT JOIN dataSourceRow
          ON dataSourceRow.dataSourceId = found.dataSourceId AND dataSourceRow.key = found.rowKey
        ORDER BY found.rank DESC, found.id
        """
    typealias Row = (String, String, String, String, String, String?, String?, Double, Int)

    let words: [String]
    let botID: String
    let limit: Int

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(words)
        bindings.append(botID)
        bindings.append(limit)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}
