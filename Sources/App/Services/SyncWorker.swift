import Logging
import Metrics
import ServiceLifecycle

/// Runs queued syncs one after another, woken as soon as one is queued. Planning (fetching, hashing and
/// chunking) runs here, outside any transaction; the writes of a sync are then one transaction.
struct SyncWorker: Service {
    let database: AppDatabase
    let planner: SyncPlanner
    let metrics: any MetricsFactory
    let logger: Logger
    var safetyInterval: Duration = .seconds(30)

    func run() async throws {
        let requeued = try await database.requeueInterruptedSyncs()
        if requeued > 0 { logger.notice("Requeued syncs interrupted by a stop", metadata: ["count": "\(requeued)"]) }
        let signal = database.syncsQueued
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully {
                do {
                    if let input = try await database.startNextSync() {
                        await sync(input)
                        continue
                    }
                } catch {
                    logger.error("Sync loop failed; trying again shortly", metadata: ["error": "\(error)"])
                }
                await signal.wait(timeout: safetyInterval)
            }
        } onGracefulShutdown: {
            signal.notify()
        }
    }

    private func sync(_ input: SyncInput) async {
        let start = ContinuousClock.now
        do {
            let job: SyncJob
            do {
                let plan = try await planner.plan(
                    input.dataSource,
                    rows: input.rows,
                    previous: input.previousHashes,
                    encoding: input.encoding
                )
                job = try await database.completeSync(input, plan: plan)
            } catch let failure as SyncPlanner.Failure {
                job = try await database.failSync(input, reason: failure.reason)
            }
            Counter(label: "sync_jobs_total", dimensions: [("outcome", job.status.rawValue)], factory: metrics)
                .increment()
            Counter(label: "sync_rows_total", factory: metrics).increment(by: Int64(job.totalDataSourceRows ?? 0))
            Counter(label: "sync_tokens_total", factory: metrics).increment(by: Int64(job.totalTokens ?? 0))
            Timer(label: "sync_duration_seconds", factory: metrics).recordNanoseconds(
                (ContinuousClock.now - start).nanoseconds
            )
        } catch {
            logger.error("Sync failed unexpectedly", metadata: ["sync": "\(input.job.id)", "error": "\(error)"])
            _ = try? await database.failSync(input, reason: "The sync failed unexpectedly; it can be run again.")
        }
    }
}

extension SyncWorker: CustomStringConvertible {
    /// How service lifecycle names it in logs.
    var description: String { "SyncWorker" }
}
