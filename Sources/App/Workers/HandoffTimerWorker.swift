import Logging
import ServiceLifecycle

/// Fires the handoff timers (DESIGN.md §4, "Timers"): at start — so a wait a restart interrupted ends as it
/// would have — then at each next deadline. Every instance runs one; a timer fires once because firing clears
/// its deadline in the transaction that moves the conversation. A change on this instance that sets an earlier
/// deadline wakes it; one set by another instance is seen within `longestWait` (that instance's worker fires it
/// on time meanwhile). Each round also assigns escalations still waiting while an agent has room.
struct HandoffTimerWorker: Service {
    let conversations: Conversations
    let store: any Store
    let logger: Logger
    var longestWait: Duration = .seconds(30)

    func run() async throws {
        try await store.migrate()
        await cancelWhenGracefulShutdown {
            let clock = conversations.clock
            while !Task.isCancelled {
                var next = clock.now().adding(longestWait)
                do {
                    try await conversations.fireDueTimers(at: clock.now())
                    // A safety net: escalations left waiting while agents had room (an instance stopped mid-way).
                    for workspace in try await store.workspacesAwaitingAssignment() {
                        await conversations.assignWaiting(workspaceID: workspace)
                    }
                    if let deadline = try await store.nextHandoffDeadline() { next = min(next, deadline) }
                } catch  where Task.isCancelled {
                    return
                } catch {
                    logger.error("Firing handoff timers failed; trying again", metadata: ["error": "\(error)"])
                    next = clock.now().adding(.seconds(1))
                }
                await clock.sleep(until: next, orUntil: conversations.timersChanged)
            }
        }
    }
}

extension HandoffTimerWorker: CustomStringConvertible {
    var description: String { "HandoffTimerWorker" }
}
