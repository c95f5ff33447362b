import Embedding
import Foundation
import GRDB

enum SyncStatus: String, Codable, CaseIterable, Sendable, DatabaseValueConvertible {
    case queued, running, succeeded, failed
}

/// What a running sync is doing (DESIGN.md §7, "Progress").
enum SyncPhase: String, Codable, Sendable {
    case fetching, tokenizing, writing
}

/// How far a running sync has come: rows read (fetched, or hashed and chunked), of how many, and the tokens of
/// the documents it will write so far.
struct SyncProgress: Codable, Sendable, Equatable {
    var rowsDone = 0
    var rowsTotal: Int
    var tokens = 0
    var phase: SyncPhase
}

enum SyncTrigger: String, Codable, Sendable, DatabaseValueConvertible {
    case api, hook, schedule
}

/// One sync of a data source: queued, run by the `SyncWorker`, and ended with its results or a reason.
struct SyncJob: AppRecord, Listed {
    var id: String
    var workspaceId: String
    var dataSourceId: String
    var status: SyncStatus
    var trigger: SyncTrigger
    var modifiedRows: Int?
    var unmodifiedRows: Int?
    var totalDataSourceRows: Int?
    var totalTokens: Int?
    var totalDocuments: Int?
    var reason: String?
    /// While running; nil before and after.
    var progress: SyncProgress?
    var createdAt: Timestamp
    var startedAt: Timestamp?
    var finishedAt: Timestamp?

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let workspaceId = Column(CodingKeys.workspaceId)
        static let dataSourceId = Column(CodingKeys.dataSourceId)
        static let status = Column(CodingKeys.status)
        static let createdAt = Column(CodingKeys.createdAt)
    }
}

/// A chunk of a row's text with its token count, as the last successful sync wrote it.
struct Document: AppRecord {
    var id: String
    var dataSourceId: String
    var rowKey: String
    var position: Int
    var text: String
    var tokens: Int
    var createdAt: Timestamp
    /// Its vector (`VectorSet.bytes(of:)`) and the model that made it; nil without a model.
    var embedding: Data? = nil
    var embeddingModel: String? = nil

    enum Columns {
        static let dataSourceId = Column(CodingKeys.dataSourceId)
        static let rowKey = Column(CodingKeys.rowKey)
        static let position = Column(CodingKeys.position)
    }
}

/// The SHA-256 of a row's text at the last successful sync: what tells a changed row from an unchanged one.
struct RowHash: AppRecord {
    var dataSourceId: String
    var rowKey: String
    var contentHash: String
    /// A `url` row's page validators at that sync, sent back so an unchanged page answers 304.
    var validators: PageValidators? = nil

    enum Columns {
        static let dataSourceId = Column(CodingKeys.dataSourceId)
        static let rowKey = Column(CodingKeys.rowKey)
    }
}

extension [RowHash] {
    var hashesByKey: [String: String] { Dictionary(uniqueKeysWithValues: map { ($0.rowKey, $0.contentHash) }) }

    var validatorsByKey: [String: PageValidators] {
        Dictionary(uniqueKeysWithValues: compactMap { hash in hash.validators.map { (hash.rowKey, $0) } })
    }
}

extension SyncJob {
    static func queued(_ source: DataSource, trigger: SyncTrigger) -> SyncJob {
        SyncJob(
            id: newID(),
            workspaceId: source.workspaceId,
            dataSourceId: source.id,
            status: .queued,
            trigger: trigger,
            createdAt: .now()
        )
    }

    mutating func succeed(_ plan: SyncPlan, totalDocuments: Int) {
        status = .succeeded
        modifiedRows = plan.modifiedRows
        unmodifiedRows = plan.unmodifiedRows
        totalDataSourceRows = plan.totalDataSourceRows
        totalTokens = plan.totalTokens
        self.totalDocuments = totalDocuments
        progress = nil
        finishedAt = .now()
    }

    mutating func fail(reason: String) {
        status = .failed
        self.reason = reason
        progress = nil
        finishedAt = .now()
    }
}

extension SyncPlan {
    /// The documents of the rows that changed, each row's chunks in order, with their vectors when there are.
    func documents(dataSourceID: String, at now: Timestamp) -> [Document] {
        var documents = changed.flatMap { row in
            row.chunks.enumerated().map { position, chunk in
                Document(
                    id: newID(),
                    dataSourceId: dataSourceID,
                    rowKey: row.key,
                    position: position,
                    text: chunk.text,
                    tokens: chunk.tokens,
                    createdAt: now
                )
            }
        }
        if let vectors, vectors.chunks.count == documents.count {
            for index in documents.indices {
                documents[index].embedding = Data(VectorSet.bytes(of: vectors.chunks[index]))
                documents[index].embeddingModel = vectors.model
            }
        }
        return documents
    }
}
