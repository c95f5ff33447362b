import Foundation
import GRDB

/// A row of one table. Times are `Timestamp`s, stored as integer milliseconds.
protocol AppRecord: Codable, Sendable, FetchableRecord, PersistableRecord {}

/// A new lowercase UUID, the form of every id in the API.
func newID() -> String { UUID().uuidString.lowercased() }
