import Foundation
import GRDB
import Testing

@testable import App

/// The few looks under the API that tests need (a crash's leftovers, what a cascade removed), in SQL that both
/// stores read alike: `?` placeholders and unquoted names.
extension TestApp {
    func records<Record: AppRecord>(
        _ type: Record.Type,
        _ sql: String,
        _ arguments: [any DatabaseValueConvertible & Sendable]
    ) async throws -> [Record] {
        let sqlite = try #require(store as? SQLiteStore)
        return try await sqlite.pool.read { db in
            try Record.fetchAll(db, sql: sql, arguments: StatementArguments(arguments))
        }
    }

    func count(_ sql: String) async throws -> Int {
        let sqlite = try #require(store as? SQLiteStore)
        return try await sqlite.pool.read { db in try Int.fetchOne(db, sql: sql) ?? 0 }
    }

    func execute(_ sql: String, _ arguments: [any DatabaseValueConvertible & Sendable]) async throws {
        let sqlite = try #require(store as? SQLiteStore)
        try await sqlite.pool.write { db in try db.execute(sql: sql, arguments: StatementArguments(arguments)) }
    }

    /// The database stops answering, as a lost disk or a stopped server would.
    func makeStoreUnavailable() async throws {
        let sqlite = try #require(store as? SQLiteStore)
        try sqlite.pool.close()
    }
}
