import Foundation
import GRDB
import Logging
import PostgresNIO
import Tokenizer

// The models are the same Codable values on both stores. On PostgreSQL a model is read from a row by column
// name and written as its columns; unquoted names fold to lowercase there, so keys are matched lowercased.
// Values PostgreSQL knows (text, integers, booleans, bytes, arrays of text, times, enums) are stored as
// themselves; any other value (a list of message sources) as JSON text, as SQLite stores it.

extension Timestamp: PostgresCodable {
    static var psqlType: PostgresDataType { .int8 }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(
        into buffer: inout ByteBuffer,
        context: PostgresEncodingContext<JSONEncoder>
    ) throws {
        millisecondsSince1970.encode(into: &buffer, context: context)
    }

    init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer,
        type: PostgresDataType,
        format: PostgresFormat,
        context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        self.init(millisecondsSince1970: try Int64(from: &buffer, type: type, format: format, context: context))
    }
}

/// An enum stored as its raw text (not as JSON, which postgres-nio would choose for a Codable value).
protocol StoredAsText: RawRepresentable<String>, PostgresCodable {}

extension StoredAsText {
    static var psqlType: PostgresDataType { .text }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(
        into buffer: inout ByteBuffer,
        context: PostgresEncodingContext<JSONEncoder>
    ) throws {
        buffer.writeString(rawValue)
    }

    init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer,
        type: PostgresDataType,
        format: PostgresFormat,
        context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        self = try Self.decodeRawText(from: &buffer, type: type, format: format, context: context)
    }

    static func decodeRawText<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer,
        type: PostgresDataType,
        format: PostgresFormat,
        context: PostgresDecodingContext<JSONDecoder>
    ) throws -> Self {
        guard let value = Self(rawValue: try String(from: &buffer, type: type, format: format, context: context)) else {
            throw PostgresDecodingError.Code.failure
        }
        return value
    }
}

extension ConversationState: StoredAsText {}
extension MessageRole: StoredAsText {}
extension HookType: StoredAsText {}
extension DeliveryOrdering: StoredAsText {}
extension DeliveryStatus: StoredAsText {}
extension DataSourceType: StoredAsText {}
extension SyncStatus: StoredAsText {}
extension SyncTrigger: StoredAsText {}
extension AgentStatus: StoredAsText {}
extension AssignmentMode: StoredAsText {}
// Tokenizer's type: its witnesses must be public, so they are spelled out, over the same coding.
extension Encoding.Name: StoredAsText {
    public static var psqlType: PostgresDataType { .text }
    public static var psqlFormat: PostgresFormat { .binary }

    public func encode<JSONEncoder: PostgresJSONEncoder>(
        into buffer: inout ByteBuffer,
        context: PostgresEncodingContext<JSONEncoder>
    ) throws {
        buffer.writeString(rawValue)
    }

    public init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer,
        type: PostgresDataType,
        format: PostgresFormat,
        context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        self = try Self.decodeRawText(from: &buffer, type: type, format: format, context: context)
    }
}

// Rows written back whole are found by their id.
extension Workspace: Identifiable {}
extension APIKey: Identifiable {}
extension Bot: Identifiable {}
extension Agent: Identifiable {}
extension Hook: Identifiable {}
extension Conversation: Identifiable {}
extension DataSource: Identifiable {}
extension SyncJob: Identifiable {}

extension PostgresRandomAccessRow {
    /// The model this row holds.
    func decode<Record: Decodable>(_ type: Record.Type) throws -> Record {
        try Record(from: RowDecoder(row: self))
    }
}

extension PostgresConnection {
    /// Every row of `query`, as models.
    func all<Record: Decodable>(_ type: Record.Type, _ query: PostgresQuery) async throws -> [Record] {
        var records: [Record] = []
        for try await row in try await self.query(query, logger: Self.quiet) {
            records.append(try row.makeRandomAccess().decode(Record.self))
        }
        return records
    }

    /// The first row of `query`, as a model.
    func one<Record: Decodable>(_ type: Record.Type, _ query: PostgresQuery) async throws -> Record? {
        for try await row in try await self.query(query, logger: Self.quiet) {
            return try row.makeRandomAccess().decode(Record.self)
        }
        return nil
    }

    /// The first row of a prepared statement.
    func first<Statement: PostgresPreparedStatement>(_ statement: Statement) async throws -> Statement.Row? {
        for try await row in try await execute(statement, logger: Self.quiet) { return row }
        return nil
    }

    /// Every row of a prepared statement.
    func all<Statement: PostgresPreparedStatement>(_ statement: Statement) async throws -> [Statement.Row] {
        var rows: [Statement.Row] = []
        for try await row in try await execute(statement, logger: Self.quiet) { rows.append(row) }
        return rows
    }

    /// The first column of the first row of `query`.
    func value<Value: PostgresDecodable>(_ type: Value.Type, _ query: PostgresQuery) async throws -> Value?
    where Value._DecodableType == Value {
        for try await row in try await self.query(query, logger: Self.quiet) {
            return try row.makeRandomAccess()[0].decode(Value?.self)
        }
        return nil
    }

    /// Runs `query` and answers how many rows it changed.
    @discardableResult
    func run(_ query: PostgresQuery) async throws -> Int {
        try await self.query(query, logger: Self.quiet).get().metadata.rows ?? 0
    }

    /// Inserts `record` into its table, every column.
    func insert<Record: Encodable & TableRecord>(_ record: Record) async throws {
        try await insert([record])
    }

    /// Inserts `records` into their table, every column, in one statement.
    func insert<Record: Encodable & TableRecord>(_ records: [Record]) async throws {
        guard !records.isEmpty else { return }
        var binds = PostgresBindings()
        try await run(PostgresQuery(unsafeSQL: try Self.insertion(of: records, binding: &binds), binds: binds))
    }

    /// The INSERT of `records` (at least one) into their table, every column, with their values appended to
    /// `binds`: to run alone, or as part of a larger statement (one round trip instead of several).
    static func insertion<Record: Encodable & TableRecord>(
        of records: [Record],
        binding binds: inout PostgresBindings
    ) throws -> String {
        var names: [String] = []
        var tuples: [String] = []
        for record in records {
            let first = binds.count
            let columns = try RecordColumns(record, appendingTo: binds)
            (names, binds) = (columns.names, columns.binds)
            tuples.append("(" + (first + 1...binds.count).map { "$\($0)" }.joined(separator: ", ") + ")")
        }
        return "INSERT INTO \(Record.databaseTableName) (\(names.joined(separator: ", ")))"
            + " VALUES \(tuples.joined(separator: ", "))"
    }

    /// Writes every column of `record` over its row, found by `id`.
    func update<Record: Encodable & TableRecord & Identifiable>(_ record: Record) async throws
    where Record.ID == String {
        let columns = try RecordColumns(record)
        var binds = columns.binds
        binds.append(record.id)
        let assignments = columns.names.enumerated().map { "\($1) = $\($0 + 1)" }.joined(separator: ", ")
        try await run(
            PostgresQuery(
                unsafeSQL: "UPDATE \(Record.databaseTableName) SET \(assignments) WHERE id = $\(binds.count)",
                binds: binds
            )
        )
    }

    /// Nothing per query: the store logs what matters itself.
    static let quiet = Logger(label: "switchboard.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
}

/// A record's columns and their values, in its coding order.
private struct RecordColumns {
    private(set) var names: [String] = []
    private(set) var binds = PostgresBindings()

    init<Record: Encodable>(_ record: Record) throws {
        try self.init(record, appendingTo: PostgresBindings())
    }

    /// The columns of `record`, their values appended to `binds`.
    init<Record: Encodable>(_ record: Record, appendingTo binds: PostgresBindings) throws {
        self.binds = binds
        let encoder = RowEncoder()
        try record.encode(to: encoder)
        for (name, value) in encoder.storage.columns {
            names.append(name)
            if let value { try self.binds.append(value) } else { self.binds.appendNull() }
        }
    }
}

// MARK: Decoding

private struct RowDecoder: Decoder {
    let row: PostgresRandomAccessRow
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Columns(row: row))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([Any].self, .init(codingPath: codingPath, debugDescription: "A row is keyed."))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        throw DecodingError.typeMismatch(Any.self, .init(codingPath: codingPath, debugDescription: "A row is keyed."))
    }

    private struct Columns<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let row: PostgresRandomAccessRow
        var codingPath: [any CodingKey] { [] }
        var allKeys: [Key] { [] }

        func contains(_ key: Key) -> Bool { row.contains(key.stringValue.lowercased()) }

        func decodeNil(forKey key: Key) throws -> Bool { cell(key).bytes == nil }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            let cell = cell(key)
            if let native = T.self as? any PostgresDecodable.Type {
                return try Self.decode(native, cell) as! T
            }
            return try JSONDecoder().decode(T.self, from: Data(try cell.decode(String.self).utf8))
        }

        private static func decode<Value: PostgresDecodable>(_ type: Value.Type, _ cell: PostgresCell) throws -> Value {
            try cell.decode(Value.self)
        }

        private func cell(_ key: Key) -> PostgresCell { row[key.stringValue.lowercased()] }

        func nestedContainer<NestedKey: CodingKey>(
            keyedBy type: NestedKey.Type,
            forKey key: Key
        ) throws -> KeyedDecodingContainer<NestedKey> {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "Columns are flat.")
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "Columns are flat.")
        }

        func superDecoder() throws -> any Decoder {
            throw DecodingError.typeMismatch(Any.self, .init(codingPath: [], debugDescription: "Columns are flat."))
        }
        func superDecoder(forKey key: Key) throws -> any Decoder { try superDecoder() }
    }
}

// MARK: Encoding

private final class RowEncoder: Encoder {
    final class Storage {
        var columns: [(String, (any PostgresThrowingDynamicTypeEncodable)?)] = []
    }

    let storage = Storage()
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(Columns(storage: storage))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer { fatalError("A record encodes as columns.") }
    func singleValueContainer() -> any SingleValueEncodingContainer { fatalError("A record encodes as columns.") }

    private struct Columns<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let storage: Storage
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil(forKey key: Key) throws { storage.columns.append((key.stringValue, nil)) }

        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            if let native = value as? any PostgresThrowingDynamicTypeEncodable {
                storage.columns.append((key.stringValue, native))
            } else {
                storage.columns.append(
                    (key.stringValue, String(decoding: try JSONEncoder().encode(value), as: UTF8.self))
                )
            }
        }

        // Absent optionals are written as NULL, so an update clears what was set before.
        mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
            if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
        }
        mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws {
            if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
        }
        mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws {
            if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
        }
        mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws {
            if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
        }
        mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws {
            if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
        }
        mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws {
            if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
        }

        mutating func nestedContainer<NestedKey: CodingKey>(
            keyedBy keyType: NestedKey.Type,
            forKey key: Key
        ) -> KeyedEncodingContainer<NestedKey> { fatalError("Columns are flat.") }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            fatalError("Columns are flat.")
        }
        mutating func superEncoder() -> any Encoder { fatalError("Columns are flat.") }
        mutating func superEncoder(forKey key: Key) -> any Encoder { fatalError("Columns are flat.") }
    }
}
