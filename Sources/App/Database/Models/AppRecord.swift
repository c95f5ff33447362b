import Foundation
import GRDB

/// Every table's record stores dates as integer milliseconds since 1970, rounded, so that the
/// order of `createdAt` is exact in SQL and a value read and written back never drifts.
protocol AppRecord: Codable, Sendable, FetchableRecord, PersistableRecord {}

extension AppRecord {
    static var databaseDateEncodingStrategy: DatabaseDateEncodingStrategy {
        .custom { $0.millisecondsSince1970 }
    }

    static var databaseDateDecodingStrategy: DatabaseDateDecodingStrategy { .millisecondsSince1970 }
}

/// A new lowercase UUID, the form of every id in the API.
func newID() -> String { UUID().uuidString.lowercased() }
