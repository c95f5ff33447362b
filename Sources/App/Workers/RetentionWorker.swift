import Logging
import Metrics
import ServiceLifecycle

/// Deletes finished deliveries (with their attempts) and finished sync jobs older than `--retention-days` (unless
/// that is 0), and `Idempotency-Key` records past their 24 hours, in small batches — each a short transaction, with
/// a pause between, so writers never wait long — once at start and then every `interval`. Pending and paused
/// deliveries are never deleted.
struct RetentionWorker: Service {
    static let batchSize = 500

    let store: any Store
    let retentionDays: Int
    let clock: any TimerClock
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
        let now = clock.now()
        var deleted = try await sweep { limit in
            try await store.deleteIdempotencyRecords(before: now.adding(.zero - Idempotency.window), limit: limit)
        }
        if retentionDays > 0 {
            let cutoff = now.adding(.seconds(-retentionDays * 86_400))
            deleted += try await sweep { limit in try await store.deleteFinished(before: cutoff, limit: limit) }
        }
        if deleted > 0 { logger.info("Deleted records past retention", metadata: ["rows": "\(deleted)"]) }
        return deleted
    }

    private func sweep(_ deleteBatch: (Int) async throws -> Int) async throws -> Int {
        var deleted = 0
        while !Task.isCancelled {
            let batch = try await deleteBatch(Self.batchSize)
            deleted += batch
            Counter(label: "retention_deleted_rows_total", factory: metrics).increment(by: batch)
            guard batch > 0 else { break }
            try await Task.sleep(for: pauseBetweenBatches)
        }
        return deleted
    }
}

extension RetentionWorker: CustomStringConvertible {
    var description: String { "RetentionWorker" }
}
