import Crypto
import Foundation
import NIOCore

/// `Idempotency-Key` (DESIGN.md §3, "Retries"): a POST sent again with the same key by the same caller within
/// 24 hours answers as the first did and changes nothing; the same key with another request is refused.
enum Idempotency {
    static let header = "Idempotency-Key"
    /// How long an answer is kept for a retry.
    static let window: Duration = .seconds(24 * 3600)
    static let keyLength = 8...255

    /// A well-formed key: 8–255 printable ASCII characters (a random UUID is the expected kind).
    static func validKey(_ value: String) throws(AppError) -> String {
        guard keyLength.contains(value.utf8.count), value.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw AppError(
                .badRequest,
                code: .badRequest,
                message: "\(header) must be 8 to 255 printable ASCII characters without spaces, such as a random UUID."
            )
        }
        return value
    }

    /// What identifies the request a key was first used for: its method, target (path and query) and body.
    static func fingerprint(method: String, target: String, body: ByteBuffer) -> String {
        var hasher = SHA256()
        hasher.update(data: Data("\(method) \(target)\n".utf8))
        body.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    static let inUse = AppError(
        .conflict,
        code: .idempotencyKeyInUse,
        message: "A request with this \(header) is still being processed; retry it in a moment."
    )

    static let reused = AppError(
        .unprocessableContent,
        code: .idempotencyKeyReused,
        message: "This \(header) was used for another request; use a new key for a new request."
    )
}

/// The answer kept for a key's retries.
struct StoredResponse: Sendable, Equatable {
    let status: Int
    let contentType: String?
    let body: Data
}

/// What a key says about a request arriving with it.
enum IdempotencyClaim: Sendable, Equatable {
    /// First use (or the earlier one's record expired): run it, then keep its answer.
    case first
    /// Answered before: send this again.
    case replay(StoredResponse)
    /// The first request with this key is still running.
    case inProgress
    /// The key was first used for another request.
    case mismatch
}

extension Idempotency {
    /// A claim still marked running after this long was left by a request that never finished (its server
    /// stopped): a retry takes it over. Every request ends well within it.
    static let abandonedAfter: Duration = .seconds(120)

    /// What a stored record means for a request with `fingerprint` arriving at `now`.
    static func claim(
        of record: (fingerprint: String, response: StoredResponse?, createdAt: Timestamp),
        fingerprint: String,
        now: Timestamp
    ) -> IdempotencyClaim {
        if record.createdAt.adding(window) < now { return .first }
        guard record.fingerprint == fingerprint else { return .mismatch }
        if let response = record.response { return .replay(response) }
        return record.createdAt.adding(abandonedAfter) < now ? .first : .inProgress
    }
}
