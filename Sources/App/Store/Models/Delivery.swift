import Foundation
import GRDB

enum DeliveryStatus: String, Codable, CaseIterable, Sendable, DatabaseValueConvertible {
    case pending, delivering, succeeded, failed, paused
}

/// One event on its way to one hook. Its id is the `webhook-id`, the same on every attempt.
struct Delivery: AppRecord, Listed {
    var id: String
    var hookId: String
    var event: String
    /// The JSON body, byte for byte as it is sent and signed.
    var payload: Data
    var status: DeliveryStatus
    var attemptCount: Int
    var nextAttemptAt: Timestamp
    var lastResponseCode: Int?
    var lastError: String?
    var createdAt: Timestamp
    var updatedAt: Timestamp

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let hookId = Column(CodingKeys.hookId)
        static let status = Column(CodingKeys.status)
        static let nextAttemptAt = Column(CodingKeys.nextAttemptAt)
        static let updatedAt = Column(CodingKeys.updatedAt)
    }

    /// What an attempt changes.
    static let progressColumns: [Column] = [
        Column(CodingKeys.status), Column(CodingKeys.attemptCount), Column(CodingKeys.nextAttemptAt),
        Column(CodingKeys.lastResponseCode), Column(CodingKeys.lastError), Column(CodingKeys.updatedAt),
    ]
}

/// What one POST of a delivery came to.
struct DeliveryAttempt: AppRecord {
    var id: String
    var deliveryId: String
    var number: Int
    var attemptedAt: Timestamp
    var responseCode: Int?
    var latencyMs: Double
    var error: String?
    /// The first 4 KiB of the response body, as text.
    var responseBody: String?

    enum Columns {
        static let deliveryId = Column(CodingKeys.deliveryId)
        static let number = Column(CodingKeys.number)
    }
}
