import Foundation
import PostgresNIO

// MARK: Idempotency keys

extension PostgresStore {
    private struct IdempotencyRecord: Decodable {
        let fingerprint: String
        let status: Int?
        let contentType: String?
        let body: Data?
        let createdAt: Timestamp
    }

    /// The insert that claims a key waits for a concurrent one's transaction and then does nothing, so of
    /// instances racing on a key one runs the request and the others read its record.
    func beginIdempotentRequest(
        scope: String,
        key: String,
        fingerprint: String,
        now: Timestamp
    ) async throws
        -> IdempotencyClaim
    {
        try await write { connection in
            let inserted = try await connection.run(
                """
                INSERT INTO idempotencyKey (scope, key, fingerprint, createdAt)
                VALUES (\(scope), \(key), \(fingerprint), \(now)) ON CONFLICT DO NOTHING
                """
            )
            if inserted == 1 { return .first }
            guard
                let record = try await connection.one(
                    IdempotencyRecord.self,
                    "SELECT * FROM idempotencyKey WHERE scope = \(scope) AND key = \(key) FOR UPDATE"
                )
            else { return .inProgress }  // deleted since the insert saw it: a retry will find the key free
            let claim = Idempotency.claim(
                of: (
                    record.fingerprint,
                    record.status.map {
                        StoredResponse(status: $0, contentType: record.contentType, body: record.body ?? Data())
                    },
                    record.createdAt
                ),
                fingerprint: fingerprint,
                now: now
            )
            guard claim == .first else { return claim }
            try await connection.run(
                """
                UPDATE idempotencyKey SET fingerprint = \(fingerprint), status = NULL, contentType = NULL, body = NULL,
                  createdAt = \(now)
                WHERE scope = \(scope) AND key = \(key)
                """
            )
            return .first
        }
    }

    func finishIdempotentRequest(scope: String, key: String, response: StoredResponse) async throws {
        try await write { connection in
            try await connection.run(
                """
                UPDATE idempotencyKey SET status = \(response.status), contentType = \(response.contentType),
                  body = \(response.body)
                WHERE scope = \(scope) AND key = \(key)
                """
            )
        }
    }

    func abandonIdempotentRequest(scope: String, key: String) async throws {
        try await write { connection in
            try await connection.run(
                "DELETE FROM idempotencyKey WHERE scope = \(scope) AND key = \(key) AND status IS NULL"
            )
        }
    }

    func deleteIdempotencyRecords(before cutoff: Timestamp, limit: Int) async throws -> Int {
        try await write { connection in
            try await connection.run(
                """
                DELETE FROM idempotencyKey WHERE (scope, key) IN
                  (SELECT scope, key FROM idempotencyKey WHERE createdAt < \(cutoff) ORDER BY createdAt LIMIT \(limit)
                   FOR UPDATE SKIP LOCKED)
                """
            )
        }
    }
}
