import Foundation
import GRDB
import PostgresNIO

extension PostgresStore {
    /// Every table `copy(from:)` moves, parents before children (the order of the schema's creation).
    static let copiedTables = [
        "workspace", "apiKey", "storageUsage", "bot", "agent", "hook", "delivery", "deliveryAttempt", "conversation",
        "message", "dataSource", "dataSourceRow", "syncJob", "document", "rowHash",
    ]

    /// Rows per INSERT: well under PostgreSQL's 65,535 parameters for the widest table.
    private static let copyBatch = 1_000

    /// Copies every row of the SQLite installation `source` into this database, which must be empty, in one
    /// transaction: all of it, with each table's row count checked against the source's, or nothing. Answers
    /// the counts, table by table. The source is read from one snapshot, so a server still running on it cannot
    /// make the copy inconsistent (though what it writes after the snapshot is not copied).
    func copy(from source: SQLiteStore) async throws -> [(table: String, rows: Int)] {
        try await migrate()
        let snapshot = try source.pool.makeSnapshot()
        return try await write { connection in
            for table in Self.copiedTables {
                if try await connection.value(
                    Bool.self,
                    PostgresQuery(unsafeSQL: "SELECT EXISTS (SELECT 1 FROM \(table))")
                ) == true {
                    throw CopyRefused(
                        "The target database already holds data (table \(table)); copy-data only fills an empty one."
                    )
                }
            }
            var counts: [(table: String, rows: Int)] = []
            for table in Self.copiedTables {
                let columns = try await Self.copiedColumns(table, connection, source: snapshot)
                let expected = try await snapshot.read { db in
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0
                }
                var offset = 0
                while offset < expected {
                    let rows = try await snapshot.read { [offset] db in
                        try Row.fetchAll(
                            db,
                            sql:
                                "SELECT \(columns.map(\.name).joined(separator: ", ")) FROM \(table) ORDER BY rowid LIMIT ? OFFSET ?",
                            arguments: [Self.copyBatch, offset]
                        )
                    }
                    try await connection.run(try Self.insert(rows, into: table, columns: columns))
                    offset += rows.count
                    if rows.isEmpty { break }
                }
                let copied =
                    try await connection.value(Int.self, PostgresQuery(unsafeSQL: "SELECT COUNT(*) FROM \(table)")) ?? 0
                guard copied == expected else {
                    throw CopyRefused(
                        "Table \(table): \(expected) rows in the source, \(copied) copied; nothing was kept."
                    )
                }
                counts.append((table, copied))
            }
            // Messages keep their sequence numbers; new ones continue after the last.
            try await connection.run(
                "SELECT setval(pg_get_serial_sequence('message', 'seq'), COALESCE((SELECT MAX(seq) FROM message), 0) + 1, false)"
            )
            return counts
        }
    }

    /// A column both databases have, with its PostgreSQL type.
    private struct CopiedColumn {
        let name: String
        let type: String
    }

    /// The source's columns of `table`, each with its type here. A source column this schema lacks would be lost:
    /// refused. Columns only this schema has (the leases) start empty; generated ones (the search vector) compute.
    private static func copiedColumns(
        _ table: String,
        _ connection: PostgresConnection,
        source: DatabaseSnapshot
    ) async throws -> [CopiedColumn] {
        var types: [String: String] = [:]
        let rows = try await connection.query(
            """
            SELECT column_name, data_type FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = \(table.lowercased()) AND is_generated = 'NEVER'
            """,
            logger: PostgresConnection.quiet
        )
        for try await (name, type) in rows.decode((String, String).self) { types[name] = type }
        let names = try await source.read { db in try db.columns(in: table).map { $0.name } }
        return try names.map { name in
            guard let type = types[name.lowercased()] else {
                throw CopyRefused("The source's \(table).\(name) has no place in the target's schema.")
            }
            return CopiedColumn(name: name, type: type)
        }
    }

    /// One INSERT of `rows`, each value converted from SQLite's storage to the column's PostgreSQL type.
    private static func insert(_ rows: [Row], into table: String, columns: [CopiedColumn]) throws -> PostgresQuery {
        var binds = PostgresBindings(capacity: rows.count * columns.count)
        var tuples: [String] = []
        for row in rows {
            var placeholders: [String] = []
            for (index, column) in columns.enumerated() {
                try bind(row[index] as DatabaseValue, as: column, of: table, into: &binds)
                placeholders.append("$\(binds.count)")
            }
            tuples.append("(\(placeholders.joined(separator: ", ")))")
        }
        let names = columns.map(\.name).joined(separator: ", ")
        return PostgresQuery(
            unsafeSQL: "INSERT INTO \(table) (\(names)) VALUES \(tuples.joined(separator: ", "))",
            binds: binds
        )
    }

    private static func bind(
        _ value: DatabaseValue,
        as column: CopiedColumn,
        of table: String,
        into binds: inout PostgresBindings
    ) throws {
        if value.isNull { return binds.appendNull() }
        let refused = CopyRefused("\(table).\(column.name) holds \(value), which is not a \(column.type).")
        switch column.type {
        case "bigint":
            guard let number = Int64.fromDatabaseValue(value) else { throw refused }
            binds.append(number)
        case "boolean":
            guard let flag = Bool.fromDatabaseValue(value) else { throw refused }
            binds.append(flag)
        case "double precision":
            guard let number = Double.fromDatabaseValue(value) else { throw refused }
            binds.append(number)
        case "bytea":
            guard let bytes = Data.fromDatabaseValue(value) else { throw refused }
            binds.append(ByteBuffer(bytes: bytes))
        case "text":
            guard let text = String.fromDatabaseValue(value) else { throw refused }
            binds.append(text)
        case "ARRAY":
            // SQLite keeps a list of names as a JSON array.
            guard let json = String.fromDatabaseValue(value),
                let list = try? JSONDecoder().decode([String].self, from: Data(json.utf8))
            else { throw refused }
            binds.append(list)
        default:
            throw refused
        }
    }
}

/// `copy-data` would not give a faithful copy: nothing was written.
struct CopyRefused: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
