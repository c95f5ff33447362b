import Crypto
import Embedding
import Foundation
import Logging
import ServiceLifecycle

/// The sentence-embedding model of this instance and the threads it runs on. An embedding is tens to hundreds of
/// milliseconds of matrix products: run on the cooperative pool it would stall every request, so questions go to
/// Dispatch's global queue and documents to a queue that leaves one core free for questions.
final class Embedder: Sendable {
    let encoder: SentenceEncoder
    /// Names the model stored vectors came from, so that vectors of another model are never compared with its own:
    /// the folder's name and the start of the weights' SHA-256.
    let model: String
    private let documentQueue: OperationQueue

    init(folder: URL) throws {
        encoder = try SentenceEncoder(folder: folder)
        let weights = try Data(contentsOf: folder.appendingPathComponent("model.safetensors"), options: .mappedIfSafe)
        model = "\(folder.lastPathComponent)@\(SHA256.hash(data: weights).hexString.prefix(16))/late-chunked-4"
        documentQueue = OperationQueue()
        documentQueue.name = "switchboard.embedding"
        documentQueue.maxConcurrentOperationCount = max(1, ProcessInfo.processInfo.activeProcessorCount - 1)
    }

    /// The model `configuration` names, or nil for lexical search only: with `none`, or while the folder is not
    /// there (`make setup` fetches it), which is logged. A folder that is there must hold a usable model.
    static func load(_ configuration: AppConfiguration, logger: Logger) throws -> Embedder? {
        let path = configuration.embeddingModelPath
        guard path != AppConfiguration.noEmbeddingModel else {
            logger.notice("No embedding model (--embedding-model none): answers use lexical search only")
            return nil
        }
        guard FileManager.default.fileExists(atPath: path) else {
            logger.warning(
                "No embedding model at \(path) (scripts/setup.sh fetches it): answers use lexical search only"
            )
            return nil
        }
        do {
            let embedder = try Embedder(folder: URL(fileURLWithPath: path, isDirectory: true))
            logger.info("Loaded the embedding model", metadata: ["model": "\(embedder.model)"])
            return embedder
        } catch {
            throw ConfigurationError(description: "--embedding-model \(path): \(error)")
        }
    }

    /// The vector of a visitor's question.
    func embed(question: String) async -> [Float] {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { [encoder] in
                continuation.resume(returning: encoder.embed(question))
            }
        }
    }

    /// The vectors of each of `texts`, in order, one after the other: the whole text's, then its passages'
    /// (`SentenceEncoder.embed(document:)`). Each call keeps at most as many texts on the queue as it has threads,
    /// so that syncs running at once take turns: a large one cannot hold a small one behind all of its texts.
    func embed(documents texts: [String]) async throws -> [[Float]] {
        var vectors = [[Float]](repeating: [], count: texts.count)
        try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
            var next = 0
            func submit() {
                let (index, text) = (next, texts[next])
                next += 1
                group.addTask { [encoder, documentQueue] in
                    // A stopping server does not wait out a long sync: it is requeued at the next start.
                    if Task.isCancelled || Task.isShuttingDownGracefully { throw CancellationError() }
                    return await withCheckedContinuation { continuation in
                        documentQueue.addOperation {
                            let (whole, passages) = encoder.embed(document: text)
                            continuation.resume(returning: (index, whole + passages.joined()))
                        }
                    }
                }
            }
            while next < min(documentQueue.maxConcurrentOperationCount, texts.count) { submit() }
            while let (index, vector) = try await group.next() {
                vectors[index] = vector
                if next < texts.count { submit() }
            }
        }
        return vectors
    }
}
