import Foundation
import GRDB
import Logging
import Tokenizer

/// The only type that touches SQL: it owns the connection pool and the migrations, and each
/// public method is one transaction that keeps one invariant.
struct SQLiteStore: Store {
    /// The one connection pool of the process. Only `SQLiteStore`'s own extensions touch it.
    let pool: DatabasePool
    /// Fired after every commit that makes a delivery due, so the delivery worker needs no polling.
    let deliveriesWritten = WakeUpSignal()
    /// Fired after every commit that queues a sync.
    let syncsQueued = WakeUpSignal()
    /// One file, one instance: no other instance announces anything.
    let announcements = Announcements<ConversationChange>()
    let syncAnnouncements = Announcements<SyncJob>()

    /// Opens (creating if needed, folder included) the SQLite file at `path` and migrates it.
    init(path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var configuration = Configuration()
        // Writers queue behind each other for up to 5 s instead of failing with SQLITE_BUSY.
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            // WAL (DatabasePool's default) is durable across process crashes with NORMAL;
            // FULL would only add protection against power loss at a large cost per commit.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // No mmap_size: a mapped database file counts as the server's resident memory, and mapping made no
            // measurable difference to speed (docs/PERFORMANCE.md has the figures).
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
    }

    func migrate() async throws {
        try Self.migrator.migrate(pool)
    }

    /// Runs a trivial query: the database file is open and answering.
    func ping() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }
}
