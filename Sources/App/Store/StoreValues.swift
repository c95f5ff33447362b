import Foundation
import Tokenizer

// What goes into and comes out of a `Store`, the same for every implementation.

/// How a conversation starts: from the public widget (web) or an owner's integration (any channel).
struct NewConversation: Sendable {
    var channelType: String
    var initialMessage: String? = nil
    var userData: Data? = nil
}

/// A data source's settings as validated by the controller.
struct DataSourceSettings: Sendable {
    var name: String
    var type: DataSourceType
    var chunkTokens: Int
    var keyColumn: String?
    var contentColumns: [String]?
}

/// A row as uploaded: `title` and `content` for text and csv sources, `url` for url sources.
struct RowInput: Codable, Sendable, Equatable {
    var key: String
    var title: String?
    var content: String?
    var url: String?
}

/// A delivery after its attempt was recorded, and whether that attempt disabled its hook.
struct RecordedAttempt: Sendable {
    let delivery: Delivery
    let disabledHook: Bool
}

/// A delivery handed to the worker, with what it needs of its hook.
struct ClaimedDelivery: Sendable {
    let delivery: Delivery
    let hook: Hook
}

/// What a new hook is made of, validated by the controller.
struct NewHook: Sendable {
    var type: HookType
    var targetUrl: String?
    var dataSourceId: String?
    var secret: String
    var enabled: Bool
}

/// A change to a hook; `nil` leaves a field as it is.
struct HookChanges: Sendable {
    var targetUrl: String?
    var dataSourceId: String??
    var enabled: Bool?
    var secret: String?
}

/// What a sync needs to read before it plans.
struct SyncInput: Sendable {
    let job: SyncJob
    let dataSource: DataSource
    /// The workspace's token encoding.
    let encoding: Encoding.Name
    let rows: [DataSourceRow]
    let previousHashes: [String: String]
}

/// A synced document that matches a question, with where it came from.
struct Passage: Sendable {
    var documentId: String
    var text: String
    /// bm25's relevance, negated so that higher is better.
    var score: Double
    /// The share of the question's words the passage contains (0…1), words unknown to the bot counting half.
    var coverage: Double
    var source: MessageSource
}

/// A record listed in creation order, with its id as the tie-breaker.
protocol Listed: Codable, Sendable {
    var id: String { get }
    var createdAt: Timestamp { get }
}

extension Bot: Listed {}
extension Agent: Listed {}
