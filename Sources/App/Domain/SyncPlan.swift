import Crypto
import Foundation

/// What a sync will change, worked out before anything is written: which rows are new or changed since the
/// last successful sync (by SHA-256 of their text), which are gone, and the documents the changed ones become.
struct SyncPlan: Sendable {
    struct ChangedRow: Sendable {
        let key: String
        let contentHash: String
        let chunks: [Chunker.Chunk]
        /// A page's validators as fetched now, stored with its hash.
        var validators: PageValidators?
    }

    /// A row as the planner read it: its text, or — a page that answered 304 — nothing new.
    struct Input: Sendable {
        let key: String
        /// Nil: unchanged since the last sync (its page answered 304), so neither downloaded nor re-tokenized.
        let text: String?
        var validators: PageValidators?

        init(key: String, text: String?, validators: PageValidators? = nil) {
            (self.key, self.text, self.validators) = (key, text, validators)
        }
    }

    let changed: [ChangedRow]
    /// Validators fetched again for pages whose text did not change (a server that does not answer 304, or a
    /// new ETag on the same text): stored so the next sync sends them.
    let refreshedValidators: [String: PageValidators]
    /// A sitemap source's rows as its sitemap lists them now: the sync replaces the data source's rows with them.
    var replacementRows: [RowInput]?
    /// The vectors of the changed rows' documents and of stored documents still without one, when there is a
    /// model: `SyncWorker` embeds them after planning.
    var vectors: SyncVectors?
    let unmodifiedRows: Int
    let deletedKeys: [String]
    let totalDataSourceRows: Int

    var modifiedRows: Int { changed.count }
    /// The storage tokens this sync consumes: what it writes, and nothing for unchanged rows.
    var totalTokens: Int { changed.reduce(0) { $0 + $1.chunks.reduce(0) { $0 + $1.tokens } } }

    /// `rows`: each row's key and the text its documents are made of; `previous`: hashes of the last sync.
    /// A row's hash covers how it is chunked too, so a new encoding or `chunkTokens` re-chunks every row.
    /// `rowDone` hears of each row as it is planned, with the tokens of its documents.
    init(
        rows: [Input],
        previous: [String: String],
        chunker: Chunker,
        rowDone: (_ tokens: Int) -> Void = { _ in }
    ) {
        var changed: [ChangedRow] = []
        var refreshed: [String: PageValidators] = [:]
        var unmodified = 0
        let settings = Self.settings(of: chunker)
        for row in rows {
            guard let text = row.text else {  // answered 304: its hash and documents stay as they are
                unmodified += 1
                rowDone(0)
                continue
            }
            var hasher = SHA256()
            hasher.update(data: Data("\(settings)\n".utf8))
            hasher.update(data: Data(text.utf8))
            let hash = hasher.finalize().hexString
            var validators = row.validators
            validators?.chunking = settings
            if previous[row.key] == hash {
                unmodified += 1
                if let validators { refreshed[row.key] = validators }
                rowDone(0)
            } else {
                let chunks = chunker.chunks(of: text)
                changed.append(ChangedRow(key: row.key, contentHash: hash, chunks: chunks, validators: validators))
                rowDone(chunks.reduce(0) { $0 + $1.tokens })
            }
        }
        let current = Set(rows.map(\.key))
        self.changed = changed
        refreshedValidators = refreshed
        unmodifiedRows = unmodified
        deletedKeys = previous.keys.filter { !current.contains($0) }.sorted()
        totalDataSourceRows = rows.count
    }

    /// How a chunker cuts rows, as a row's hash and a page's validators record it.
    static func settings(of chunker: Chunker) -> String { "\(chunker.encoding.name.rawValue) \(chunker.limit)" }

    /// Whether writing the plan changes the bot's documents (and so its cached vectors).
    var changesDocuments: Bool { !changed.isEmpty || !deletedKeys.isEmpty || !(vectors?.backfill.isEmpty ?? true) }

    /// The text a row contributes: its title, a blank line, then its content.
    static func text(title: String?, content: String) -> String {
        guard let title, !title.isEmpty else { return content }
        return "\(title)\n\n\(content)"
    }
}

/// What the embedding model made of a sync's documents.
struct SyncVectors: Sendable {
    /// The model, as `Embedder.model` names it.
    let model: String
    /// One vector per chunk of the changed rows, row after row, chunk after chunk.
    let chunks: [[Float]]
    /// Vectors for documents of unchanged rows stored without one, by document id.
    let backfill: [(documentID: String, vector: [Float])]
}
