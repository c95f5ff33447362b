import Logging
import Metrics
import ServiceLifecycle

/// Deletes finished deliveries (with their attempts) and finished sync jobs older than `--retention-days`, in
/// small batches — each a short transaction, with a pause between, so writers never wait long — once at start and
/// then every `interval`. Pending and paused deliveries are never deleted.
struct RetentionWorker: Service {
    static let batchSize = 500

    let store: any Store
    let retentionDays: Int
    let metrics: any MetricsFactory
    let logger: Logger
    var interval: Duration = .seconds(3600)
    var pauseBetweenBatches: Duration = .milliseconds(50)

    func run() async throws {
        try await store.migrate()
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await sweep()
                } catch  where Task.isCancelled {
                    return
                } catch {
                    logger.error("Retention sweep failed; trying again later", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Deletes what is past retention now, batch by batch; answers how many rows went.
    @discardableResult
    func sweep() async throws -> Int {
        let cutoff = Timestamp(
            millisecondsSince1970: Timestamp.now().millisecondsSince1970 - Int64(retentionDays) * 86_400_000
        )
        var deleted = 0
        while !Task.isCancelled {
            let batch = try await store.deleteFinished(before: cutoff, limit: Self.batchSize)
            deleted += batch
            Counter(label: "retention_deleted_rows_total", factory: metrics).increment(by: batch)
            guard batch > 0 else { break }
            try await Task.sleep(for: pauseBetweenBatches)
        }
        if deleted > 0 { logger.info("Deleted records past retention", metadata: ["rows": "\(deleted)"]) }
        return deleted
    }
}

extension RetentionWorker: CustomStringConvertible {
    var description: String { "RetentionWorker" }
}
