import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization
import _ConnectionPoolModule

/// The store of several instances sharing one PostgreSQL database. Its `client` is a Service that must run (the
/// app's ServiceGroup runs it) for queries to go out. Transactions are READ COMMITTED; where two instances could
/// race, a conditional update, a row lock or a transaction-scoped advisory lock decides (each says which).
struct PostgresStore: Store {
    let client: PostgresClient
    let deliveriesWritten = WakeUpSignal()
    let syncsQueued = WakeUpSignal()
    let announcements = Announcements<ConversationChange>()
    let syncAnnouncements = Announcements<SyncJob>()
    /// Tells this instance's announcements from the others'.
    let instanceID = newID()
    /// The schema is brought up to date once per process.
    let migration = Once()
    /// How long a claimed delivery or started sync stays an instance's before another may take it over.
    let lease: Duration
    /// How long a caller waits for a connection before the database counts as unavailable.
    let leaseTimeout: Duration
    let logger: Logger

    /// `url` is `postgres://user:password@host:port/database`, with `?sslmode=disable|prefer|require`. `schema`
    /// puts every table in that schema instead of `public` (tests give each app its own).
    init(
        url: String,
        lease: Duration = .seconds(60),
        leaseTimeout: Duration = .seconds(5),
        schema: String? = nil,
        maximumConnections: Int = 40,
        connectionIdleTimeout: Duration = .seconds(60),
        logger: Logger
    ) throws {
        let endpoint = try Endpoint(url)
        var configuration = endpoint.clientConfiguration()
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectionIdleTimeout = connectionIdleTimeout
        configuration.options.connectTimeout = .seconds(5)
        if let schema { configuration.options.additionalStartupParameters = [("search_path", schema)] }
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.lease = lease
        self.leaseTimeout = leaseTimeout
        self.logger = logger
    }

    /// Where the database is, as a `postgres://` URL names it.
    struct Endpoint: Sendable {
        let host: String
        let port: Int
        let username: String
        let password: String?
        let database: String?
        /// `disable`, `prefer` (the default) or `require`.
        let sslMode: String

        init(_ text: String) throws {
            guard let url = URLComponents(string: text), ["postgres", "postgresql"].contains(url.scheme),
                let host = url.host, !host.isEmpty, let user = url.user
            else {
                throw DatabaseURLError("Not a PostgreSQL URL: expected postgres://user:password@host:port/database")
            }
            sslMode = url.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
            guard ["disable", "prefer", "require"].contains(sslMode) else {
                throw DatabaseURLError("sslmode must be disable, prefer or require, not \(sslMode)")
            }
            self.host = host
            port = url.port ?? 5432
            username = user.removingPercentEncoding ?? user
            password = url.password?.removingPercentEncoding
            database = String(url.path.dropFirst()).nilIfEmpty
        }

        func clientConfiguration() -> PostgresClient.Configuration {
            let tls: PostgresClient.Configuration.TLS =
                switch sslMode {
                case "disable": .disable
                case "require": .require(.makeClientConfiguration())
                default: .prefer(.makeClientConfiguration())
                }
            return PostgresClient.Configuration(
                host: host,
                port: port,
                username: username,
                password: password,
                database: database,
                tls: tls
            )
        }
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
    func read<Value: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Value
    ) async throws
        -> Value
    {
        do {
            return try await withLeasedConnection(body)
        } catch {
            throw Self.unavailable(error)
        }
    }

    /// One transaction: all of `body` or nothing. Throws what went wrong itself (a refused transition, a lost
    /// connection), not postgres-nio's wrapper around it.
    func write<Value: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Value
    ) async throws
        -> Value
    {
        do {
            return try await withLeasedConnection { connection in
                try await connection.withTransaction(logger: PostgresConnection.quiet) { connection in
                    try await body(connection)
                }
            }
        } catch let error as PostgresTransactionError {
            throw Self.unavailable(error.closureError ?? error.beginError ?? error.commitError ?? error)
        } catch {
            throw Self.unavailable(error)
        }
    }

    /// Runs `body` on a pooled connection, or throws `AppError.databaseUnavailable` when none comes within
    /// `leaseTimeout` (otherwise, while the server refuses connections, every caller would wait a minute for the
    /// pool's circuit breaker) or when the connection closes under `body`. postgres-nio 1.33 can leave a query
    /// waiting forever when its connection closes as it is sent (its fix, vapor/postgres-nio#487, was reverted),
    /// so `body` runs in a task of its own that the caller stops waiting for then.
    private func withLeasedConnection<Value: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Value
    ) async throws -> Value {
        let call = PooledCall<Value>()
        let work = Task {
            do {
                let value = try await client.withConnection { connection in
                    guard call.begin(on: connection) else { throw AppError.databaseUnavailable }
                    return try await body(connection)
                }
                call.finish(.success(value))
            } catch {
                call.finish(.failure(error))
            }
        }
        let watchdog = Task { [leaseTimeout] in
            try await Task.sleep(for: leaseTimeout)
            guard let connection = call.connectionOrExpire() else { return work.cancel() }
            while !connection.isClosed { try await Task.sleep(for: .seconds(1)) }
            call.finish(.failure(AppError.databaseUnavailable))
        }
        defer { watchdog.cancel() }
        return try await withTaskCancellationHandler {
            try await call.result()
        } onCancel: {
            work.cancel()
        }
    }

    /// `error`, or `AppError.databaseUnavailable` when it says the database cannot be reached for now (a lost
    /// connection, a server shutting down or starting, no connection to be had): requests then answer 503.
    private static func unavailable(_ error: any Error) -> any Error {
        switch error {
        case let error as PSQLError where error.isUnavailable: return AppError.databaseUnavailable
        case is ConnectionPoolError: return AppError.databaseUnavailable
        default: return error
        }
    }
}

/// One call on a pooled connection: its outcome is settled once, by the call itself, by the lease timeout while
/// no connection has come (the body then never starts), or by the connection closing under it.
private final class PooledCall<Value: Sendable>: Sendable {
    private struct State {
        var connection: PostgresConnection?
        var outcome: Result<Value, any Error>?
        var waiter: CheckedContinuation<Value, any Error>?
    }

    private let state = Mutex(State())

    /// The connection came: true when it is still wanted.
    func begin(on connection: PostgresConnection) -> Bool {
        state.withLock { state in
            guard state.outcome == nil else { return false }
            state.connection = connection
            return true
        }
    }

    /// The lease timeout passed: the connection the call runs on, or nil when none had come (the call then
    /// fails as unavailable).
    func connectionOrExpire() -> PostgresConnection? {
        let (connection, waiter) = state.withLock {
            state -> (PostgresConnection?, CheckedContinuation<Value, any Error>?) in
            if let connection = state.connection { return (connection, nil) }
            guard state.outcome == nil else { return (nil, nil) }
            state.outcome = .failure(AppError.databaseUnavailable)
            defer { state.waiter = nil }
            return (nil, state.waiter)
        }
        waiter?.resume(throwing: AppError.databaseUnavailable)
        return connection
    }

    func finish(_ outcome: Result<Value, any Error>) {
        let waiter = state.withLock { state -> CheckedContinuation<Value, any Error>? in
            guard state.outcome == nil else { return nil }
            state.outcome = outcome
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(with: outcome)
    }

    func result() async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let outcome = state.withLock { state -> Result<Value, any Error>? in
                if state.outcome == nil { state.waiter = continuation }
                return state.outcome
            }
            if let outcome { continuation.resume(with: outcome) }
        }
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

extension PSQLError {
    /// The database cannot be reached, or is shutting down or starting: the request may succeed later.
    var isUnavailable: Bool {
        guard code == .server else { return true }
        // SQLSTATE classes 08 (connection exception) and 57 (operator intervention: shutdown, restart).
        let state = serverInfo?[.sqlState] ?? ""
        return state.hasPrefix("08") || state.hasPrefix("57")
    }
}
