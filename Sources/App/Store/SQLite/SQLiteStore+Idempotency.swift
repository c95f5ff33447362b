import Foundation
import GRDB

// MARK: Idempotency keys

extension SQLiteStore {
    func beginIdempotentRequest(
        scope: String,
        key: String,
        fingerprint: String,
        now: Timestamp
    ) async throws
        -> IdempotencyClaim
    {
        try await pool.write { db in
            if let row = try Row.fetchOne(
                db,
                sql: "SELECT * FROM idempotencyKey WHERE scope = ? AND key = ?",
                arguments: [scope, key]
            ) {
                let claim = Idempotency.claim(of: Self.record(row), fingerprint: fingerprint, now: now)
                guard claim == .first else { return claim }
                try db.execute(sql: "DELETE FROM idempotencyKey WHERE scope = ? AND key = ?", arguments: [scope, key])
            }
            try db.execute(
                sql: "INSERT INTO idempotencyKey (scope, key, fingerprint, createdAt) VALUES (?, ?, ?, ?)",
                arguments: [scope, key, fingerprint, now]
            )
            return .first
        }
    }

    func finishIdempotentRequest(scope: String, key: String, response: StoredResponse) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE idempotencyKey SET status = ?, contentType = ?, body = ? WHERE scope = ? AND key = ?",
                arguments: [response.status, response.contentType, response.body, scope, key]
            )
        }
    }

    func abandonIdempotentRequest(scope: String, key: String) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "DELETE FROM idempotencyKey WHERE scope = ? AND key = ? AND status IS NULL",
                arguments: [scope, key]
            )
        }
    }

    func deleteIdempotencyRecords(before cutoff: Timestamp, limit: Int) async throws -> Int {
        try await pool.write { db in
            try db.execute(
                sql: """
                    DELETE FROM idempotencyKey WHERE rowid IN
                      (SELECT rowid FROM idempotencyKey WHERE createdAt < ? ORDER BY createdAt LIMIT ?)
                    """,
                arguments: [cutoff, limit]
            )
            return db.changesCount
        }
    }

    private static func record(_ row: Row) -> (fingerprint: String, response: StoredResponse?, createdAt: Timestamp) {
        let status: Int? = row["status"]
        return (
            row["fingerprint"],
            status.map { StoredResponse(status: $0, contentType: row["contentType"], body: row["body"] ?? Data()) },
            row["createdAt"]
        )
    }
}
