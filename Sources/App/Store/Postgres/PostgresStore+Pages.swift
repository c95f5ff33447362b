import PostgresNIO

extension PostgresStore {
    /// One page of `table`'s rows matching `condition`, in (createdAt, id) order, after the cursor's position.
    static func page<Record: Listed>(
        _ type: Record.Type,
        from table: String,
        where condition: PostgresQuery,
        _ page: PageRequest,
        _ connection: PostgresConnection
    ) async throws -> Page<Record> {
        var query = PostgresQuery(unsafeSQL: "SELECT * FROM \(table) WHERE ", binds: condition.binds)
        query.sql += condition.sql
        if let after = page.after {
            try query.binds.append(after.createdAt)
            query.binds.append(after.id)
            let (createdAt, id) = (query.binds.count - 1, query.binds.count)
            query.sql += " AND (createdAt > $\(createdAt) OR (createdAt = $\(createdAt) AND id > $\(id)))"
        }
        query.binds.append(page.limit + 1)
        query.sql += " ORDER BY createdAt, id LIMIT $\(query.binds.count)"
        let rows = try await connection.all(Record.self, query)
        let data = Array(rows.prefix(page.limit))
        let next =
            rows.count > page.limit ? data.last.map { PageRequest.Position(createdAt: $0.createdAt, id: $0.id) } : nil
        return Page(data: data, nextCursor: next?.cursor)
    }
}
