import Logging
import ServiceLifecycle

/// Where `--database` points: a SQLite file (the embedded default) or a PostgreSQL database shared by several
/// instances, named by a `postgres://` URL.
enum DatabaseLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(url: String)

    init(_ text: String) {
        self =
            text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
            ? .postgres(url: text) : .sqlite(path: text)
    }

    /// Fit for a log line: a URL's password is left out.
    var redacted: String {
        switch self {
        case .sqlite(let path): return path
        case .postgres(let url): return url.replacing(/:[^:@\/]*@/, with: ":•••@")
        }
    }

    /// Opens the store, with the services the app must run for it: PostgreSQL's client and its listener.
    func open(logger: Logger, lease: Duration = .seconds(60)) throws -> (store: any Store, services: [any Service]) {
        switch self {
        case .sqlite(let path):
            return (try SQLiteStore(path: path), [])
        case .postgres(let url):
            let store = try PostgresStore(url: url, lease: lease, logger: logger)
            return (store, [store.client, PostgresStore.Listener(store: store)])
        }
    }

    /// Runs `body` on the store, migrated, with its services running: what a command that uses the store and
    /// exits needs.
    func withStore<Value: Sendable>(logger: Logger, _ body: (any Store) async throws -> Value) async throws -> Value {
        switch self {
        case .sqlite(let path):
            return try await body(try SQLiteStore(path: path))
        case .postgres(let url):
            let store = try PostgresStore(url: url, logger: logger)
            return try await store.withRunningClient {
                try await store.migrate()
                return try await body(store)
            }
        }
    }
}
