import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Runs queued syncs, several at once, woken as soon as one is queued, as `SyncSlots` allows, so one tenant's
/// slow source cannot stall another's. Planning (fetching, hashing and chunking) runs outside any transaction;
/// the writes of a sync are one transaction.
struct SyncWorker: Service {

    let store: any Store
    let planner: SyncPlanner
    /// Embeds the documents a sync writes, when there is a model.
    let embedder: Embedder?
    /// This instance's owners' live streams, which follow each sync's progress.
    let feed: ConversationFeed
    let metrics: any MetricsFactory
    let logger: Logger
    var safetyInterval: Duration = .seconds(30)
    /// Well inside PostgreSQL's sync lease (10 minutes).
    var leaseRenewal: Duration = .seconds(60)

    func run() async throws {
        // Services start together: the schema may be this instance's to create (idempotent, under a lock).
        try await store.migrate()
        let requeued = try await store.requeueInterruptedSyncs()
        if requeued > 0 { logger.notice("Requeued syncs interrupted by a stop", metadata: ["count": "\(requeued)"]) }
        let signal = store.syncsQueued
        let running = RunningSyncs()
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                // Cancelled (a failed start, or a second signal): stop at once; syncs in flight are requeued
                // on the next start. Shutting down gracefully: start no more, let those in flight end.
                while !Task.isShuttingDownGracefully && !Task.isCancelled {
                    do {
                        if running.count < SyncSlots.perWorker, let input = try await store.startNextSync() {
                            running.change(by: 1)
                            group.addTask {
                                await sync(input)
                                running.change(by: -1)
                                signal.notify()  // a slot is free, and its data source may have another queued
                            }
                            continue
                        }
                    } catch  where Task.isCancelled {
                        break
                    } catch {
                        logger.error("Sync loop failed; trying again shortly", metadata: ["error": "\(error)"])
                    }
                    await signal.wait(timeout: safetyInterval)
                }
            }
        } onGracefulShutdown: {
            signal.notify()
        }
    }

    private func sync(_ input: SyncInput) async {
        let meter = SyncProgressMeter(
            rowsTotal: input.rows.count,
            phase: input.dataSource.type == .url ? .fetching : .tokenizing
        )
        let finished = await withTaskGroup(of: Void.self) { group in
            group.addTask { await renewLease(of: input.job) }
            group.addTask { await report(input.job, meter) }
            let finished = await run(input, meter: meter)
            group.cancelAll()
            return finished
        }
        if let finished { await publish(finished) }
    }

    /// Tells the owners' streams, and the job, how the sync moves on: each second, and as each phase begins.
    private func report(_ job: SyncJob, _ meter: SyncProgressMeter) async {
        var recorded: SyncProgress?
        var running = job
        while !Task.isCancelled {
            running.progress = meter.progress
            if running.progress != recorded, let progress = running.progress {
                do {
                    try await store.recordSyncProgress(jobID: job.id, progress)
                    recorded = progress
                } catch  where Task.isCancelled {
                    return  // the sync ended meanwhile
                } catch {
                    logger.warning(
                        "Could not record a sync's progress",
                        metadata: ["sync": "\(job.id)", "error": "\(error)"]
                    )
                }
            }
            guard !Task.isCancelled else { return }
            await publish(running)
            await meter.phaseBegan.wait(timeout: .seconds(1))
        }
    }

    /// Shows `job` on this instance's owner streams and tells the other instances.
    private func publish(_ job: SyncJob) async {
        feed.syncChanged(job)
        do {
            try await store.announce(job)
        } catch {
            logger.warning(
                "Could not announce a sync's progress",
                metadata: ["sync": "\(job.id)", "error": "\(error)"]
            )
        }
    }

    /// Renews the sync's lease every `leaseRenewal` until cancelled.
    private func renewLease(of job: SyncJob) async {
        while (try? await Task.sleep(for: leaseRenewal)) != nil {
            do {
                try await store.renewSyncLease(jobID: job.id)
            } catch {
                logger.warning("Could not renew a sync's lease", metadata: ["sync": "\(job.id)", "error": "\(error)"])
            }
        }
    }

    /// Runs the sync to its end; the ended job, or nil when a shutdown stopped it.
    private func run(_ input: SyncInput, meter: SyncProgressMeter) async -> SyncJob? {
        let start = ContinuousClock.now
        do {
            let job: SyncJob
            do {
                var plan = try await planner.plan(
                    input.dataSource,
                    rows: input.rows,
                    previous: input.previousHashes,
                    validators: input.previousValidators,
                    encoding: input.encoding,
                    meter: meter
                )
                if let embedder { plan.vectors = try await vectors(of: plan, input, embedder) }
                meter.begin(.writing)
                job = try await store.completeSync(input, plan: plan)
            } catch let failure as SyncPlanner.Failure {
                job = try await store.failSync(input, reason: failure.reason)
            }
            Counter(label: "sync_jobs_total", dimensions: [("outcome", job.status.rawValue)], factory: metrics)
                .increment()
            Counter(label: "sync_rows_total", factory: metrics).increment(by: Int64(job.totalDataSourceRows ?? 0))
            Counter(label: "sync_tokens_total", factory: metrics).increment(by: Int64(job.totalTokens ?? 0))
            Timer(label: "sync_duration_seconds", factory: metrics).recordNanoseconds(
                (ContinuousClock.now - start).nanoseconds
            )
            return job
        } catch is CancellationError {
            logger.notice(
                "Sync stopped by the shutdown; it runs again on the next start",
                metadata: ["sync": "\(input.job.id)"]
            )
            return nil
        } catch {
            logger.error("Sync failed unexpectedly", metadata: ["sync": "\(input.job.id)", "error": "\(error)"])
            return try? await store.failSync(input, reason: "The sync failed unexpectedly; it can be run again.")
        }
    }
}

extension SyncWorker {
    /// The vectors of the plan's new documents and of the data source's stored documents still without one (those
    /// of rows the plan rewrites or deletes are left: they go).
    private func vectors(of plan: SyncPlan, _ input: SyncInput, _ embedder: Embedder) async throws -> SyncVectors {
        let replaced = Set(plan.changed.map(\.key) + plan.deletedKeys)
        let unembedded = try await store.documentsWithoutVectors(
            dataSourceID: input.dataSource.id,
            model: embedder.model
        )
        .filter { !replaced.contains($0.rowKey) }
        let chunks = plan.changed.flatMap { $0.chunks.map(\.text) }
        let vectors = try await embedder.embed(documents: chunks + unembedded.map(\.text))
        Counter(label: "sync_embedded_documents_total", factory: metrics).increment(by: Int64(vectors.count))
        return SyncVectors(
            model: embedder.model,
            chunks: Array(vectors.prefix(chunks.count)),
            backfill: zip(unembedded, vectors.dropFirst(chunks.count)).map { ($0.id, $1) }
        )
    }
}

/// How many syncs are running, shared by the loop and the syncs' tasks.
private final class RunningSyncs: Sendable {
    private let running = Mutex(0)

    var count: Int { running.withLock { $0 } }

    func change(by delta: Int) { running.withLock { $0 += delta } }
}

extension SyncWorker: CustomStringConvertible {
    /// How service lifecycle names it in logs.
    var description: String { "SyncWorker" }
}
