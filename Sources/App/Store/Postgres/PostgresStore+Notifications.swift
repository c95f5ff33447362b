import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

extension PostgresStore {
    /// What instances tell each other through LISTEN/NOTIFY.
    enum Channel: String, CaseIterable {
        /// Deliveries became due.
        case deliveries = "switchboard_deliveries"
        /// A sync was queued.
        case syncs = "switchboard_syncs"
        /// A conversation changed: the payload is an `Announcement`.
        case conversations = "switchboard_conversations"
        /// A sync moved on or ended: the payload is a `SyncAnnouncement`.
        case syncProgress = "switchboard_sync_progress"
    }

    /// Sends `channel`'s notification when the caller's transaction commits.
    static func notify(_ channel: Channel, _ connection: PostgresConnection) async throws {
        _ = try await connection.all(NotifyStatement([(channel, "")]))
    }

    /// A conversation change and the instance it came from (ids only: well under NOTIFY's 8,000 bytes).
    private struct Announcement: Codable {
        let instance: String
        let change: ConversationChange
    }

    /// The payload that announces `change` on `Channel.conversations`.
    func announcement(of change: ConversationChange) throws -> String {
        String(decoding: try JSONEncoder().encode(Announcement(instance: instanceID, change: change)), as: UTF8.self)
    }

    func announce(_ change: ConversationChange) async throws {
        let payload = try announcement(of: change)
        try await write { connection in _ = try await connection.all(NotifyStatement([(.conversations, payload)])) }
    }

    /// A sync job and the instance it came from (a job is well under NOTIFY's 8,000 bytes: its reason is short).
    private struct SyncAnnouncement: Codable {
        let instance: String
        let job: SyncJob
    }

    func announce(_ job: SyncJob) async throws {
        let payload = String(
            decoding: try JSONEncoder().encode(SyncAnnouncement(instance: instanceID, job: job)),
            as: UTF8.self
        )
        try await write { connection in _ = try await connection.all(NotifyStatement([(.syncProgress, payload)])) }
    }

    /// Listens on every channel and fires this instance's wake-up signals, reconnecting after a lost connection;
    /// after a reconnection it fires them all, since notifications sent meanwhile are lost.
    struct Listener: Service {
        let store: PostgresStore

        func run() async throws {
            // Waiting for notifications never ends by itself: a graceful shutdown cancels it.
            try await cancelWhenGracefulShutdown { try await listen() }
        }

        private func listen() async throws {
            var backoff = Duration.milliseconds(100)
            while !Task.isCancelled {
                do {
                    try await store.client.withConnection { connection in
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            for channel in Channel.allCases {
                                group.addTask {
                                    let notifications = try await connection.listen(channel.rawValue)
                                    store.signal(channel, payload: "")  // anything sent before this listen began
                                    for try await notification in notifications {
                                        store.signal(channel, payload: notification.payload)
                                    }
                                }
                            }
                            try await group.waitForAll()
                        }
                    }
                    backoff = .milliseconds(100)
                } catch  where !Task.isCancelled {
                    store.logger.warning(
                        "Lost the notification connection; reconnecting",
                        metadata: ["error": "\(String(reflecting: error))"]
                    )
                    try? await Task.sleep(for: backoff)
                    backoff = min(backoff * 2, .seconds(5))
                }
            }
        }
    }

    private func signal(_ channel: Channel, payload: String) {
        switch channel {
        case .deliveries: deliveriesWritten.notify()
        case .syncs: syncsQueued.notify()
        case .conversations:
            guard let announcement = try? JSONDecoder().decode(Announcement.self, from: Data(payload.utf8)),
                announcement.instance != instanceID
            else { return }
            announcements.deliver(announcement.change)
        case .syncProgress:
            guard let announcement = try? JSONDecoder().decode(SyncAnnouncement.self, from: Data(payload.utf8)),
                announcement.instance != instanceID
            else { return }
            syncAnnouncements.deliver(announcement.job)
        }
    }
}

extension PostgresStore.Listener: CustomStringConvertible {
    var description: String { "PostgresListener" }
}
