import Foundation
import GRDB
import Logging
import PostgresNIO
import ServiceLifecycle
import Testing

@testable import App

/// Which store the suite runs on: SQLite files by default, PostgreSQL when `SWITCHBOARD_TEST_POSTGRES` holds a
/// database URL (`make test` starts a throwaway cluster with `scripts/postgres.sh` and runs the suite again).
enum TestStore {
    static let postgresURL = ProcessInfo.processInfo.environment["SWITCHBOARD_TEST_POSTGRES"]
    static var isPostgres: Bool { postgresURL != nil }

    /// A new empty store: the SQLite file at `sqlitePath`, or a new schema of the PostgreSQL database owned by a
    /// new role of the same name (so one test can cut its own app off), with its client running until the
    /// process ends. Hundreds of tests run at once, so each client keeps few connections and lets idle ones go.
    static func open(sqlitePath: String) async throws -> (store: any Store, role: String?) {
        guard postgresURL != nil else { return (try SQLiteStore(path: sqlitePath), nil) }
        let role = "test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await administration.run(PostgresQuery(unsafeSQL: "CREATE ROLE \(role) LOGIN PASSWORD '\(role)'"))
        try await administration.run(PostgresQuery(unsafeSQL: "CREATE SCHEMA \(role) AUTHORIZATION \(role)"))
        let store = try connect(role: role)
        try await store.migrate()
        return (store, role)
    }

    /// Another client of the schema of `role`, as a second instance on the same database has.
    static func connect(role: String) throws -> PostgresStore {
        let store = try PostgresStore(
            url: try url(role: role),
            lease: .seconds(40),
            // Hundreds of tests share two cores: a connection may be a while coming without the database being
            // away (the outage tests wait this long to stop).
            leaseTimeout: .seconds(15),
            schema: role,
            maximumConnections: 4,
            connectionIdleTimeout: .seconds(1),
            logger: Logger(label: "test-store", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        Task { await store.client.run() }
        return store
    }

    /// The database's URL as `role` (whose schema comes first on its search path).
    static func url(role: String) throws -> String {
        guard let postgresURL, var url = URLComponents(string: postgresURL) else { throw CancellationError() }
        (url.user, url.password) = (role, role)
        return url.string!
    }

    /// The role may no longer log in and its connections are closed: to its app, the database is gone.
    static func cutOff(role: String) async throws {
        try await administration.run(PostgresQuery(unsafeSQL: "ALTER ROLE \(role) NOLOGIN"))
        try await administration.run(
            PostgresQuery(unsafeSQL: "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '\(role)'")
        )
    }

    /// Creates the tests' schemas, on its own client.
    private static let administration: PostgresStore = {
        let store = try! PostgresStore(
            url: postgresURL!,
            maximumConnections: 2,
            connectionIdleTimeout: .seconds(1),
            logger: Logger(label: "test-admin", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        Task { await store.client.run() }
        return store
    }()
}

extension PostgresStore {
    fileprivate func run(_ query: PostgresQuery) async throws {
        _ = try await write { connection in try await connection.run(query) }
    }
}

extension TestApp {
    /// What the app runs for its store besides the client: PostgreSQL's listener, while the app runs.
    var storeServices: [any Service] {
        (store as? PostgresStore).map { [PostgresStore.Listener(store: $0)] } ?? []
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
            try Record.fetchAll(
                db,
                sql: sql,
                arguments: StatementArguments(arguments.map { $0 as any DatabaseValueConvertible })
            )
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
            _ = try await postgres.write { connection in try await connection.run(query) }
            return
        }
        let sqlite = try #require(store as? SQLiteStore)
        try await sqlite.pool.write { db in
            try db.execute(
                sql: sql,
                arguments: StatementArguments(arguments.map { $0 as any DatabaseValueConvertible })
            )
        }
    }

    /// The database stops answering, as a lost disk or a stopped server would.
    func makeStoreUnavailable() async throws {
        if let role = postgresRole {
            try await TestStore.cutOff(role: role)
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
