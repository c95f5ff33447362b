import Embedding
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
    var syncEveryMinutes: Int?
    var site: SiteSettings?
    /// The time on the schedule's clock, from which its first interval runs.
    var createdAt: Timestamp
}

/// A row as uploaded: `title` and `content` for text and csv sources, `url` for url sources.
struct RowInput: Codable, Sendable, Equatable {
    var key: String
    var title: String?
    var content: String?
    var url: String?
}

extension RowInput {
    /// A stored row's fields.
    init(_ row: DataSourceRow) {
        self.init(key: row.key, title: row.title, content: row.content, url: row.url)
    }
}

/// A delivery after its attempt was recorded, and whether that attempt disabled its hook.
struct RecordedAttempt: Sendable {
    let delivery: Delivery
    let disabledHook: Bool
}

/// A delivery handed to the worker, with what it needs of its hook, and for a paced hook when it may start.
struct ClaimedDelivery: Sendable {
    let delivery: Delivery
    let hook: Hook
    /// Microseconds since 1970.
    var startsAt: Int64? = nil
}

/// A conversation event's place: its conversation and its number among that conversation's events.
struct EventPosition: Sendable, Equatable {
    let conversationID: String
    let sequence: Int
}

/// Which deliveries of a hook's log to list; nil leaves a filter out.
struct DeliveryFilter: Sendable {
    var status: DeliveryStatus?
    var event: String?
    var since: Timestamp?
    var until: Timestamp?
}

/// What a new hook is made of, validated by the controller.
struct NewHook: Sendable {
    var type: HookType
    var targetUrl: String?
    var dataSourceId: String?
    var secret: String
    var enabled: Bool
    var ordering: DeliveryOrdering = .none
    var maxPerSecond: Int?
    var headers: [String: String]?
}

/// A change to a hook; `nil` leaves a field as it is.
struct HookChanges: Sendable {
    var targetUrl: String?
    var dataSourceId: String??
    var enabled: Bool?
    /// A new secret, and until when the old one stays valid (nil: it stops at once).
    var rotation: (secret: String, overlapUntil: Timestamp?)?
    var ordering: DeliveryOrdering?
    /// `.some(nil)` removes the pace.
    var maxPerSecond: Int??
    /// `.some(nil)` removes the headers.
    var headers: [String: String]??
}

/// What a sync needs to read before it plans.
struct SyncInput: Sendable {
    let job: SyncJob
    let dataSource: DataSource
    /// The workspace's token encoding.
    let encoding: Encoding.Name
    let rows: [DataSourceRow]
    let previousHashes: [String: String]
    /// The pages' validators as the last successful sync stored them (url rows only).
    var previousValidators: [String: PageValidators] = [:]
}

/// A synced document that matches a question, with where it came from.
struct Passage: Sendable {
    var documentId: String
    var text: String
    /// What ranked it, higher first: bm25's relevance from the store, the fused score from `Retriever`.
    var score: Double
    /// The share of the question's words the passage contains (0…1), words unknown to the bot counting half.
    var coverage: Double
    /// The cosine similarity of its vector to the question's; nil without a model or a vector.
    var similarity: Double? = nil
    var source: MessageSource
    /// Whether the bot would quote it: set by `Retriever`.
    var answers = false
}

/// What the full-text search found, and the generation of the bot's documents it was read at.
struct LexicalResults: Sendable {
    var passages: [Passage]
    /// Changes whenever a sync or a deletion changes the bot's documents: cached vectors of another generation
    /// are stale.
    var generation: Int64
}

/// The vectors of a bot's documents: for each, its whole text's vector and then its passages' (`Embedder`).
struct DocumentVectors: Sendable {
    var generation: Int64
    var documentIDs: [String] = []
    /// Where each document's vectors start in `vectors`.
    var starts: [Int] = []
    var vectors: VectorSet

    init(generation: Int64, dimension: Int) {
        self.generation = generation
        vectors = VectorSet(dimension: dimension)
    }

    /// Adds a document's stored vectors; one whose bytes are not whole vectors of the dimension is left out.
    mutating func append(documentID: String, bytes: some Collection<UInt8>) {
        let start = vectors.count
        guard vectors.append(bytes: bytes) > 0 else { return }
        documentIDs.append(documentID)
        starts.append(start)
    }

    /// Each document's similarity to `query`, in order: the mean of its whole text's and its closest passage's.
    func similarities(to query: [Float]) -> [Double] {
        let rows = vectors.similarities(to: query)
        guard !rows.isEmpty else { return [] }
        return starts.indices.map { index in
            let start = starts[index]
            let end = index + 1 < starts.count ? starts[index + 1] : rows.count
            let whole = Double(rows[start])
            guard let passage = rows[(start + 1)..<end].max() else { return whole }
            return (whole + Double(passage)) / 2
        }
    }
}

/// A stored document a sync still has to embed.
struct UnembeddedDocument: Sendable {
    let id: String
    let rowKey: String
    let text: String
}

/// A record listed in creation order, with its id as the tie-breaker.
protocol Listed: Codable, Sendable {
    var id: String { get }
    var createdAt: Timestamp { get }
}

extension Bot: Listed {}
extension Agent: Listed {}

/// A bot's ratings: a page of its rated conversations, and over all of them how many and their average score.
struct RatingSummary: Sendable {
    let page: Page<Conversation>
    let count: Int
    /// nil when nothing is rated yet.
    let average: Double?
}
