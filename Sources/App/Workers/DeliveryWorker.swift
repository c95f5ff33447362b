import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Sends due hook deliveries, concurrently, until graceful shutdown. Woken by `SQLiteStore.deliveriesWritten`
/// the moment deliveries are committed; the timer only covers retries falling due and is a safety net.
///
/// `DeliverySlots` bounds the attempts in flight, in all, per hook and per workspace, so a slow or dead target
/// holds only its own slots, and a tenant only its share, while the others keep flowing.
struct DeliveryWorker: Service {
    let store: any Store
    let sender: HookSender
    let policy: DeliveryPolicy
    let metrics: any MetricsFactory
    let logger: Logger
    var safetyInterval: Duration = .seconds(5)

    func run() async throws {
        // Services start together: the schema may be this instance's to create (idempotent, under a lock).
        try await store.migrate()
        let requeued = try await store.requeueInterruptedDeliveries()
        if requeued > 0 {
            logger.notice("Requeued deliveries interrupted by a stop", metadata: ["count": "\(requeued)"])
        }
        let inFlight = InFlight()
        let recorder = AttemptRecorder(store: store, policy: policy)
        let signal = store.deliveriesWritten
        var queueGaugeRecordedAt = ContinuousClock.now - .seconds(1)
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                // Cancelled (a failed start, or a second signal): stop at once; attempts in flight are requeued
                // on the next start. Shutting down gracefully: claim no more, let those in flight end.
                while !Task.isShuttingDownGracefully && !Task.isCancelled {
                    do {
                        let claimed = try await store.claimDueDeliveries { inFlight.slots }
                        for item in claimed {
                            let (hookID, workspaceID) = (item.hook.id, item.hook.workspaceId)
                            inFlight.take(hookID: hookID, workspaceID: workspaceID)
                            group.addTask {
                                await deliver(item, recorder: recorder)
                                inFlight.release(hookID: hookID, workspaceID: workspaceID)
                                signal.notify()  // a slot is free
                            }
                        }
                        // More may be due — unless a workspace is at its share: then a scan now would pass over
                        // all its queued rows to find nothing, and the next finished attempt wakes the loop anyway.
                        if !claimed.isEmpty, inFlight.slots.busyWorkspaces.isEmpty { continue }
                        if ContinuousClock.now - queueGaugeRecordedAt >= .seconds(1) {  // a count is a scan
                            Gauge(label: "hook_deliveries_queued", factory: metrics)
                                .record(try await store.pendingDeliveryCount())
                            queueGaugeRecordedAt = .now
                        }
                        await signal.wait(timeout: try await idleTimeout(inFlight))
                    } catch  where Task.isCancelled {
                        break
                    } catch {
                        logger.error("Delivery loop failed; trying again shortly", metadata: ["error": "\(error)"])
                        await signal.wait(timeout: .seconds(1))
                    }
                }
            }
        } onGracefulShutdown: {
            // Stop claiming; attempts in flight finish or time out, the rest stay queued.
            signal.notify()
        }
    }

    /// How long to sleep when nothing could be claimed: until the next delivery falls due that a free slot
    /// could take. A finishing attempt wakes the loop sooner; while a workspace is at its share, one will
    /// (and finding the next due time past that workspace's queue would be a scan of it).
    private func idleTimeout(_ inFlight: InFlight) async throws -> Duration {
        let slots = inFlight.slots
        guard slots.free > 0, slots.busyWorkspaces.isEmpty, let next = try await store.nextDueTime(slots: slots)
        else { return safetyInterval }
        let millis = next.millisecondsSince1970 - Timestamp.now().millisecondsSince1970
        return min(safetyInterval, .milliseconds(max(0, millis)))
    }

    private func deliver(_ item: ClaimedDelivery, recorder: AttemptRecorder) async {
        if let startsAt = item.startsAt {  // a paced hook's booked start
            let wait = startsAt - Int64(Date().timeIntervalSince1970 * 1_000_000)
            if wait > 0 { try? await Task.sleep(for: .microseconds(wait)) }
        }
        let result = await sender.send(
            deliveryID: item.delivery.id,
            event: item.delivery.event,
            payload: item.delivery.payload,
            hook: item.hook,
            attempt: item.delivery.attemptCount + 1
        )
        Timer(label: "hook_attempt_duration_seconds", factory: metrics)
            .recordNanoseconds(Int64(result.latencyMs * 1e6))
        do {
            // The hook was deleted while its delivery was in flight: nothing left to record.
            guard let recorded = try await recorder.record(result, for: item) else { return }
            let delivery = recorded.delivery
            if recorded.disabledHook {
                Counter(label: "hooks_disabled_total", factory: metrics).increment()
                logger.notice(
                    "Hook disabled after failed deliveries",
                    metadata: ["hook": "\(item.hook.id)", "error": "\(result.failureDescription)"]
                )
            }
            Counter(
                label: "hook_deliveries_total",
                dimensions: [("outcome", delivery.status.rawValue)],
                factory: metrics
            )
            .increment()
            if !result.succeeded {
                logger.debug(
                    "Delivery attempt failed",
                    metadata: [
                        "delivery": "\(delivery.id)", "hook": "\(item.hook.id)",
                        "error": "\(result.failureDescription)",
                    ]
                )
            }
        } catch {
            logger.error(
                "Could not record a delivery attempt",
                metadata: ["delivery": "\(item.delivery.id)", "error": "\(error)"]
            )
        }
    }
}

/// The slots taken by attempts in flight, shared by the loop and the attempts' tasks.
private final class InFlight: Sendable {
    private let state = Mutex(DeliverySlots())

    var slots: DeliverySlots { state.withLock { $0 } }

    func take(hookID: String, workspaceID: String) {
        state.withLock { $0.take(hookID: hookID, workspaceID: workspaceID) }
    }

    func release(hookID: String, workspaceID: String) {
        state.withLock { $0.release(hookID: hookID, workspaceID: workspaceID) }
    }
}

extension DeliveryWorker: CustomStringConvertible {
    /// How service lifecycle names it in logs.
    var description: String { "DeliveryWorker" }
}
