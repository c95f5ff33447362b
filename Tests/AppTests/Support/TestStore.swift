import Foundation
import GRDB
import Logging
import PostgresNIO
import Testing

@testable import App

/// Which store the suite runs on: SQLite files by default, PostgreSQL when `SWITCHBOARD_TEST_POSTGRES` holds a
/// database URL (`make test` starts a throwaway cluster with `scripts/postgres.sh` and runs the suite again).
enum TestStore {
    static let postgresURL = ProcessInfo.processInfo.environment["SWITCHBOARD_TEST_POSTGRES"]
    static var isPostgres: Bool { postgresURL != nil }

    /// A new empty store: the SQLite file at `sqlitePath`, or a new schema of the PostgreSQL database with its
    /// client and listener running until `stop` is called (or the process ends).
    static func open(sqlitePath: String) async throws -> (store: any Store, stop: @Sendable () -> Void) {
        guard let postgresURL else { return (try SQLiteStore(path: sqlitePath), {}) }
        let schema = "test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await administration.run(PostgresQuery(unsafeSQL: "CREATE SCHEMA \(schema)"))
        let store = try PostgresStore(
            url: postgresURL,
            lease: .seconds(40),
            schema: schema,
            maximumConnections: 8,
            logger: Logger(label: "test-store", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        let services = Task {
            await withDiscardingTaskGroup { group in
                group.addTask { await store.client.run() }
                group.addTask { try? await PostgresStore.Listener(store: store).run() }
            }
        }
        try await store.migrate()
        return (store, { services.cancel() })
    }

    /// Creates the tests' schemas, on its own client.
    private static let administration: PostgresStore = {
        let store = try! PostgresStore(
            url: postgresURL!,
            maximumConnections: 2,
            logger: Logger(label: "test-admin", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        Task { await store.client.run() }
        return store
    }()
}

extension PostgresStore {
    fileprivate func run(_ query: PostgresQuery) async throws {
        try await write { connection in try await connection.run(query) }
    }
}

/// The few looks under the API that tests need (a crash's leftovers, what a cascade removed), in SQL that both
/// stores read alike: `?` placeholders and unquoted names.
extension TestApp {
    func records<Record: AppRecord>(
        _ type: Record.Type,
        _ sql: String,
        _ arguments: [any DatabaseValueConvertible & PostgresThrowingDynamicTypeEncodable & Sendable]
    ) async throws -> [Record] {
        if let postgres = store as? PostgresStore {
            let query = try Self.postgresQuery(sql, arguments)
            return try await postgres.read { connection in try await connection.all(Record.self, query) }
        }
        let sqlite = try #require(store as? SQLiteStore)
        return try await sqlite.pool.read { db in
            try Record.fetchAll(db, sql: sql, arguments: StatementArguments(arguments.map { $0 as any DatabaseValueConvertible }))
        }
    }

    func count(_ sql: String) async throws -> Int {
        if let postgres = store as? PostgresStore {
            return try await postgres.read { connection in
                try await connection.value(Int.self, PostgresQuery(unsafeSQL: sql)) ?? 0
            }
        }
        let sqlite = try #require(store as? SQLiteStore)
        return try await sqlite.pool.read { db in try Int.fetchOne(db, sql: sql) ?? 0 }
    }

    func execute(
        _ sql: String,
        _ arguments: [any DatabaseValueConvertible & PostgresThrowingDynamicTypeEncodable & Sendable]
    ) async throws {
        if let postgres = store as? PostgresStore {
            let query = try Self.postgresQuery(sql, arguments)
            try await postgres.write { connection in try await connection.run(query) }
            return
        }
        let sqlite = try #require(store as? SQLiteStore)
        try await sqlite.pool.write { db in
            try db.execute(sql: sql, arguments: StatementArguments(arguments.map { $0 as any DatabaseValueConvertible }))
        }
    }

    /// The database stops answering, as a lost disk or a stopped server would.
    func makeStoreUnavailable() async throws {
        if store is PostgresStore {
            stopStore()
            return
        }
        let sqlite = try #require(store as? SQLiteStore)
        try sqlite.pool.close()
    }

    /// `?` placeholders numbered as PostgreSQL's `$1`, `$2`…
    private static func postgresQuery(
        _ sql: String,
        _ arguments: [any DatabaseValueConvertible & PostgresThrowingDynamicTypeEncodable & Sendable]
    ) throws -> PostgresQuery {
        var numbered = ""
        var index = 0
        for character in sql {
            if character == "?" {
                index += 1
                numbered += "$\(index)"
            } else {
                numbered.append(character)
            }
        }
        var binds = PostgresBindings()
        for argument in arguments { try binds.append(argument) }
        return PostgresQuery(unsafeSQL: numbered, binds: binds)
    }
}
