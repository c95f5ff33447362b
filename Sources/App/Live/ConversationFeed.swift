import Foundation
import Synchronization

/// Conversation changes as they are committed, fanned out in process to the open event streams:
/// an agent's stream sees its workspace, a visitor's stream its one conversation; an owner's stream also sees
/// the workspace's syncs move on.
final class ConversationFeed: Sendable {
    /// What a stream listens to.
    enum Scope: Sendable, Hashable {
        case workspace(String)
        case conversation(String)

        var audience: Audience {
            switch self {
            case .workspace: .staff
            case .conversation: .visitor
            }
        }
    }

    /// One Server-Sent Events frame, encoded once for every stream that gets it.
    struct Frame: Sendable {
        let bytes: [UInt8]

        init(event: String, data: some Encodable) {
            let json = (try? JSONEncoder.api().encode(data)) ?? Data("null".utf8)
            bytes = Array("event: \(event)\ndata: ".utf8) + json + Array("\n\n".utf8)
        }

        /// A comment line: keeps proxies and the client's idle timers from closing a quiet stream.
        static let heartbeat = Frame(raw: ": heartbeat\n\n")
        /// The first frame: how long a client waits before reconnecting, and that it may now load a snapshot.
        static let ready = Frame(raw: "retry: 2000\nevent: ready\ndata: {}\n\n")

        private init(raw: String) { bytes = Array(raw.utf8) }
    }

    /// A stream's end of the feed. Ends when the client leaves, the server stops, or the stream falls too far
    /// behind (the client reconnects and reloads, so nothing is silently skipped).
    struct Subscription: Sendable {
        let frames: AsyncStream<Frame>
        fileprivate let continuation: AsyncStream<Frame>.Continuation

        func heartbeat() { continuation.yield(.heartbeat) }
        func end() { continuation.finish() }
    }

    private struct Subscriber {
        let scope: Scope
        /// The owner or agent who opened it (`owner:WORKSPACE`, `agent:ID`); nil for a visitor.
        let holder: String?
        let continuation: AsyncStream<Frame>.Continuation
    }

    /// Frames a stream may have waiting before it is cut off.
    static let backlogLimit = 512
    /// Streams one owner or agent may hold open at once: each holds a connection and a task.
    static let streamsPerHolder = 20

    private let subscribers = Mutex<[UUID: Subscriber]>([:])
    /// Notified when an agent's stream opens or ends: their presence may have changed.
    let agentStreamsChanged = WakeUpSignal()

    var subscriberCount: Int { subscribers.withLock { $0.count } }

    /// A new stream of `scope`; nil when `holder` already has `streamsPerHolder` open.
    func subscribe(_ scope: Scope, holder: String? = nil) -> Subscription? {
        let id = UUID()
        let (frames, continuation) = AsyncStream.makeStream(
            of: Frame.self,
            bufferingPolicy: .bufferingOldest(Self.backlogLimit)
        )
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.removeValue(forKey: id) }
            if holder?.hasPrefix(Self.agentHolder) == true { self?.agentStreamsChanged.notify() }
        }
        let admitted = subscribers.withLock { subscribers in
            if let holder, subscribers.values.count(where: { $0.holder == holder }) >= Self.streamsPerHolder {
                return false
            }
            subscribers[id] = Subscriber(scope: scope, holder: holder, continuation: continuation)
            return true
        }
        guard admitted else {
            continuation.finish()
            return nil
        }
        continuation.yield(.ready)
        if holder?.hasPrefix(Self.agentHolder) == true { agentStreamsChanged.notify() }
        return Subscription(frames: frames, continuation: continuation)
    }

    static let agentHolder = "agent:"

    /// The agents with a stream open here, with their workspaces.
    func connectedAgents() -> [String: String] {
        subscribers.withLock { subscribers in
            var agents: [String: String] = [:]
            for subscriber in subscribers.values {
                guard let holder = subscriber.holder, holder.hasPrefix(Self.agentHolder),
                    case .workspace(let workspaceID) = subscriber.scope
                else { continue }
                agents[String(holder.dropFirst(Self.agentHolder.count))] = workspaceID
            }
            return agents
        }
    }

    /// Whether any stream open here would see `change`: most changes happen with none open.
    func isWatched(_ change: ConversationChange) -> Bool {
        subscribers.withLock { subscribers in
            subscribers.values.contains {
                $0.scope == .workspace(change.workspaceId) || $0.scope == .conversation(change.conversationId)
            }
        }
    }

    /// A conversation started or changed state.
    func changed(_ conversation: Conversation) {
        publish(about: conversation) { audience in
            Frame(event: "conversation", data: ConversationResponse(conversation: conversation, audience: audience))
        }
    }

    /// A conversation started, with its first messages (the visitor's and the bot's answer).
    func started(_ conversation: Conversation, with messages: [Message]) {
        changed(conversation)
        for message in messages { posted(message, in: conversation) }
    }

    /// A message was added to a conversation's transcript.
    func posted(_ message: Message, in conversation: Conversation) {
        publish(about: conversation) { audience in
            Frame(event: "message", data: PostedMessage(message: message, audience: audience))
        }
    }

    /// Someone in the conversation typing, or no longer: the workspace's streams see everyone's, the visitor's
    /// stream the bot's and the agents'.
    func typing(_ typing: Typing, workspaceID: String, conversationID: String) {
        let frame = Frame(event: "typing", data: TypingEvent(conversationId: conversationID, typing: typing))
        let receivers = subscribers.withLock { subscribers in
            subscribers.values.filter {
                $0.scope == .workspace(workspaceID)
                    || ($0.scope == .conversation(conversationID) && typing.role != .user)
            }
        }
        for receiver in receivers {
            if case .dropped = receiver.continuation.yield(frame) { receiver.continuation.finish() }
        }
    }

    /// A sync started, moved on or ended: its job, to the workspace owners' streams (agents do not see syncs).
    func syncChanged(_ job: SyncJob) {
        let receivers = subscribers.withLock { subscribers in
            subscribers.values.filter {
                $0.scope == .workspace(job.workspaceId) && $0.holder?.hasPrefix("owner:") == true
            }
        }
        guard !receivers.isEmpty else { return }
        let frame = Frame(event: "sync", data: SyncJobResponse(job))
        for receiver in receivers {
            if case .dropped = receiver.continuation.yield(frame) { receiver.continuation.finish() }
        }
    }

    /// Encodes each audience's frame only when someone of it listens: most changes happen with no stream
    /// open. A workspace's streams are its owners' and agents'; a conversation's stream is its visitor's.
    private func publish(about conversation: Conversation, _ frame: (Audience) -> Frame) {
        let receivers = subscribers.withLock { subscribers in
            subscribers.values.filter {
                $0.scope == .workspace(conversation.workspaceId) || $0.scope == .conversation(conversation.id)
            }
        }
        var frames: [Scope: Frame] = [:]
        for receiver in receivers {
            let frame = frames[receiver.scope] ?? frame(receiver.scope.audience)
            frames[receiver.scope] = frame
            if case .dropped = receiver.continuation.yield(frame) { receiver.continuation.finish() }
        }
    }
}

/// The `typing` event: `{"conversationId", "role", "name"?, "typing"}`.
private struct TypingEvent: Encodable {
    let conversationId: String
    let typing: Typing

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(conversationId, forKey: .conversationId)
        try container.encode(typing.role, forKey: .role)
        try container.encodeIfPresent(typing.name, forKey: .name)
        try container.encode(typing.typing, forKey: .typing)
    }

    enum CodingKeys: String, CodingKey { case conversationId, role, name, typing }
}

/// The `message` event: the message and the conversation it belongs to.
private struct PostedMessage: Encodable {
    let message: Message
    let audience: Audience

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(message.conversationId, forKey: .conversationId)
        try container.encode(MessageResponse(message: message, audience: audience), forKey: .message)
    }

    enum CodingKeys: String, CodingKey { case conversationId, message }
}
