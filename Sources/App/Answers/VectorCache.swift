import Embedding
import Synchronization

/// Each bot's document vectors in memory, read from the store again only when the generation of its documents
/// moved on (a sync or a deletion, on any instance: the generation is read with every question's lexical search).
/// Bots used least recently leave first when the vectors outgrow `byteBudget`.
final class VectorCache: Sendable {
    /// A bot's vectors and where each document is among them.
    struct Entry: Sendable {
        let vectors: DocumentVectors
        let indices: [String: Int]

        init(_ vectors: DocumentVectors) {
            self.vectors = vectors
            indices = Dictionary(
                vectors.documentIDs.enumerated().map { ($1, $0) },
                uniquingKeysWith: { first, _ in first }
            )
        }
    }

    private struct State {
        var entries: [String: (entry: Entry, lastUse: UInt64)] = [:]
        var uses: UInt64 = 0
        var bytes = 0
    }

    let byteBudget: Int
    private let state = Mutex(State())

    init(byteBudget: Int) {
        self.byteBudget = byteBudget
    }

    /// How many documents of the bot have vectors, as far as this cache knows (nil: it does not).
    func documentCount(botID: String) -> Int? {
        state.withLock { $0.entries[botID]?.entry.vectors.documentIDs.count }
    }

    /// The bot's vectors of `generation` or later, from memory or else from `load`.
    func vectors(
        botID: String,
        generation: Int64,
        load: () async throws -> DocumentVectors
    ) async throws -> Entry {
        let cached = state.withLock { state -> Entry? in
            guard let cached = state.entries[botID], cached.entry.vectors.generation >= generation else { return nil }
            state.uses += 1
            state.entries[botID]?.lastUse = state.uses
            return cached.entry
        }
        if let cached { return cached }
        let entry = Entry(try await load())
        state.withLock { state in
            // Another question may have read a newer generation meanwhile: keep the newest.
            if let current = state.entries[botID] {
                guard current.entry.vectors.generation <= entry.vectors.generation else { return }
                state.bytes -= current.entry.vectors.vectors.byteCount
            }
            state.uses += 1
            state.entries[botID] = (entry, state.uses)
            state.bytes += entry.vectors.vectors.byteCount
            while state.bytes > byteBudget, state.entries.count > 1,
                let (oldest, evicted) = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse }),
                oldest != botID
            {
                state.entries[oldest] = nil
                state.bytes -= evicted.entry.vectors.vectors.byteCount
            }
        }
        return entry
    }
}
