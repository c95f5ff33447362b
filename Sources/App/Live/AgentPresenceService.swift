import Foundation
import Logging
import ServiceLifecycle

/// Keeps this instance's part of agents' presence (DESIGN.md §4, "Assignment"): the agents with an inbox stream
/// open here are connected until `AgentPresence.lifetime` from each renewal, renewed every `AgentPresence.renewal`
/// and at once when a stream opens or ends. An agent who just connected may take waiting escalations.
struct AgentPresenceService: Service {
    let feed: ConversationFeed
    let store: any Store
    let conversations: Conversations
    let logger: Logger
    /// This process's name in the presence table.
    let instanceID = UUID().uuidString.lowercased()

    func run() async throws {
        try await store.migrate()
        await cancelWhenGracefulShutdown {
            var previous: Set<String> = []
            while !Task.isCancelled {
                let connected = feed.connectedAgents()
                do {
                    try await store.setAgentConnections(
                        instanceID: instanceID,
                        agentIDs: Set(connected.keys),
                        until: Timestamp.now().adding(AgentPresence.lifetime)
                    )
                    for workspace in Set(connected.filter { !previous.contains($0.key) }.values) {
                        await conversations.assignWaiting(workspaceID: workspace)
                    }
                    previous = Set(connected.keys)
                } catch  where Task.isCancelled {
                    break
                } catch {
                    logger.error("Renewing agents' presence failed; trying again", metadata: ["error": "\(error)"])
                }
                await feed.agentStreamsChanged.wait(timeout: AgentPresence.renewal)
            }
        }
        // Stopping: this instance's agents are no longer here.
        try? await store.setAgentConnections(instanceID: instanceID, agentIDs: [], until: .now())
    }
}

extension AgentPresenceService: CustomStringConvertible {
    var description: String { "AgentPresenceService" }
}
