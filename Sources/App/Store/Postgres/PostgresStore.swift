import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// The store of several instances sharing one PostgreSQL database. Its `client` is a Service that must run (the
/// app's ServiceGroup runs it) for queries to go out. Transactions are READ COMMITTED; where two instances could
/// race, a conditional update, a row lock or a transaction-scoped advisory lock decides (each says which).
struct PostgresStore: Store {
    let client: PostgresClient
    let deliveriesWritten = WakeUpSignal()
    let syncsQueued = WakeUpSignal()
    /// How long a claimed delivery or started sync stays an instance's before another may take it over.
    let lease: Duration
    let logger: Logger

    /// `url` is `postgres://user:password@host:port/database`, with `?sslmode=disable|prefer|require`. `schema`
    /// puts every table in that schema instead of `public` (tests give each app its own).
    init(
        url: String,
        lease: Duration = .seconds(60),
        schema: String? = nil,
        maximumConnections: Int = 40,
        logger: Logger
    ) throws {
        var configuration = try Self.configuration(url)
        configuration.options.maximumConnections = maximumConnections
        if let schema { configuration.options.additionalStartupParameters = [("search_path", schema)] }
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.lease = lease
        self.logger = logger
    }

    static func configuration(_ text: String) throws -> PostgresClient.Configuration {
        guard let url = URLComponents(string: text), ["postgres", "postgresql"].contains(url.scheme),
            let host = url.host, !host.isEmpty, let user = url.user
        else {
            throw DatabaseURLError(
                "Not a PostgreSQL URL: expected postgres://user:password@host:port/database"
            )
        }
        let mode = url.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        let tls: PostgresClient.Configuration.TLS
        switch mode {
        case "disable": tls = .disable
        case "prefer": tls = .prefer(.makeClientConfiguration())
        case "require": tls = .require(.makeClientConfiguration())
        default: throw DatabaseURLError("sslmode must be disable, prefer or require, not \(mode)")
        }
        var configuration = PostgresClient.Configuration(
            host: host,
            port: url.port ?? 5432,
            username: user.removingPercentEncoding ?? user,
            password: url.password?.removingPercentEncoding,
            database: String(url.path.dropFirst()).nilIfEmpty,
            tls: tls
        )
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }

    /// Runs `body` with the client running, for the commands that use a store and exit.
    func withRunningClient<Value: Sendable>(_ body: () async throws -> Value) async throws -> Value {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    func ping() async throws {
        _ = try await read { connection in try await connection.value(Int.self, "SELECT 1") }
    }

    /// One connection, outside any transaction: for reads of one statement or several that need not agree.
    func read<Value: Sendable>(_ body: (PostgresConnection) async throws -> Value) async throws -> Value {
        try await client.withConnection { connection in try await body(connection) }
    }

    /// One transaction: all of `body` or nothing.
    func write<Value: Sendable>(_ body: (PostgresConnection) async throws -> Value) async throws -> Value {
        try await client.withTransaction(logger: PostgresConnection.quiet) { connection in try await body(connection) }
    }
}

/// A `--database` value that is neither a file path nor a usable PostgreSQL URL.
struct DatabaseURLError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension String {
    fileprivate var nilIfEmpty: String? { isEmpty ? nil : self }
}
