import Logging
import ServiceLifecycle

/// Queues the syncs of data sources on a schedule (DESIGN.md §7, "Schedules"): at start — a schedule that a stop
/// made miss its time catches up once — then at each next due time. Every instance runs one; a schedule queues
/// once per interval because queueing moves it on in the same transaction. A schedule set through another
/// instance is seen within `longestWait`, far inside the shortest interval.
struct SyncScheduler: Service {
    let store: any Store
    let clock: any TimerClock
    let logger: Logger
    var longestWait: Duration = .seconds(30)

    func run() async throws {
        try await store.migrate()
        // Nothing on this instance wakes it early: schedules are minutes apart, and a test's clock wakes it.
        let neverNotified = WakeUpSignal()
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                var next = clock.now().adding(longestWait)
                do {
                    let queued = try await store.queueScheduledSyncs(now: clock.now())
                    if queued > 0 { logger.info("Queued scheduled syncs", metadata: ["count": "\(queued)"]) }
                    if let due = try await store.nextScheduledSync() { next = min(next, due) }
                } catch  where Task.isCancelled {
                    return
                } catch {
                    logger.error("Queueing scheduled syncs failed; trying again", metadata: ["error": "\(error)"])
                    next = clock.now().adding(.seconds(1))
                }
                await clock.sleep(until: next, orUntil: neverNotified)
            }
        }
    }
}

extension SyncScheduler: CustomStringConvertible {
    var description: String { "SyncScheduler" }
}
