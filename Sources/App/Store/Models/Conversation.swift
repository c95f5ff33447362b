import Foundation
import GRDB

/// A visitor's conversation with a bot, which an agent can take over.
struct Conversation: AppRecord, Listed {
    var id: String
    var workspaceId: String
    var botId: String
    var state: ConversationState
    var channelType: String
    var initialMessage: String?
    var userEmail: String?
    /// JSON object given by the visitor or integration, stored as sent.
    var userData: Data?
    var claimedByAgentId: String?
    var claimedByName: String?
    var claimedByEmail: String?
    /// SHA-256 of the conversation's `vt_…` token.
    var visitorTokenHash: String
    var escalatedAt: Timestamp?
    var claimedAt: Timestamp?
    var resolvedAt: Timestamp?
    /// How many events the conversation has had: each transition and message is the next one, and its hook
    /// payloads carry that number as `sequence`.
    var eventSequence: Int
    // The handoff timers' deadlines (DESIGN.md §4, "Timers"): set by the transition or message that starts a
    // timer, cleared by the one that stops it and by the timer itself as it fires.
    var expiresAt: Timestamp?
    var idleReleaseAt: Timestamp?
    var slaDueAt: Timestamp?
    var firstAgentReplyAt: Timestamp?
    /// The visitor's rating after a release: 1–5, once.
    var ratingScore: Int?
    var ratingComment: String?
    var ratedAt: Timestamp?
    var createdAt: Timestamp
    var updatedAt: Timestamp

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let eventSequence = Column(CodingKeys.eventSequence)
        static let workspaceId = Column(CodingKeys.workspaceId)
        static let botId = Column(CodingKeys.botId)
        static let state = Column(CodingKeys.state)
        static let claimedByAgentId = Column(CodingKeys.claimedByAgentId)
        static let visitorTokenHash = Column(CodingKeys.visitorTokenHash)
        static let createdAt = Column(CodingKeys.createdAt)
    }
}

extension ConversationState: DatabaseValueConvertible {}

enum MessageRole: String, Codable, Sendable, DatabaseValueConvertible {
    case user, bot, agent
}

/// One message of a transcript. `seq` orders a transcript exactly, whatever the clock says.
struct Message: AppRecord {
    var seq: Int64?
    var id: String
    var conversationId: String
    var role: MessageRole
    var text: String
    var agentId: String?
    var agentName: String?
    /// What a bot reply was drawn from (stored as JSON); nil for other messages.
    var sources: [MessageSource]?
    var createdAt: Timestamp

    enum Columns {
        static let seq = Column(CodingKeys.seq)
        static let conversationId = Column(CodingKeys.conversationId)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        seq = inserted.rowID
    }
}

/// A timer that fired, with what its hook payload says.
struct FiredHandoffTimer: Sendable {
    let timer: HandoffTimer
    /// When it was due (the payload says by how much it was late).
    let deadline: Timestamp
    /// The agent who had the conversation (idle release, a missed reply).
    let agentName: String?
    let breach: SLABreach?
}

/// A passage a bot reply was drawn from: its data source and row.
struct MessageSource: Codable, Sendable, Equatable {
    var dataSourceId: String
    var dataSourceName: String
    var rowKey: String
    var title: String?
    var url: String?
}

extension Conversation {
    /// A new conversation of `bot`, in state `Bot`.
    static func started(_ new: NewConversation, bot: Bot, token: Credential, at now: Timestamp) -> Conversation {
        Conversation(
            id: newID(),
            workspaceId: bot.workspaceId,
            botId: bot.id,
            state: .bot,
            channelType: new.channelType,
            initialMessage: new.initialMessage,
            userEmail: nil,
            userData: new.userData,
            claimedByAgentId: nil,
            claimedByName: nil,
            claimedByEmail: nil,
            visitorTokenHash: token.hash,
            escalatedAt: nil,
            claimedAt: nil,
            resolvedAt: nil,
            eventSequence: 1,  // `conversation.started`
            expiresAt: nil,
            idleReleaseAt: nil,
            slaDueAt: nil,
            firstAgentReplyAt: nil,
            ratingScore: nil,
            ratingComment: nil,
            ratedAt: nil,
            createdAt: now,
            updatedAt: now
        )
    }

    /// "Talk to a human", once `ConversationState.checkEscalation` allowed it: the escalation timeout and the
    /// first-response SLA start.
    mutating func escalate(
        userEmail: String,
        userData: Data?,
        handoff: HandoffSettings,
        at now: Timestamp
    ) throws(AppError) {
        state = try state.applying(.escalate)
        self.userEmail = userEmail
        if let userData { self.userData = userData }
        escalatedAt = now
        eventSequence += 1
        claimedByAgentId = nil
        claimedByName = nil
        claimedByEmail = nil
        expiresAt = now.adding(seconds: handoff.escalationTimeoutSeconds)
        slaDueAt = now.adding(seconds: handoff.firstResponseSlaSeconds)
        firstAgentReplyAt = nil
        idleReleaseAt = nil
        updatedAt = now
    }

    /// Back to the bot: only from `Active`, by the claiming agent or an owner. Every timer stops.
    mutating func release(by actor: ConversationActor, at now: Timestamp = .now()) throws(AppError) {
        let target = try state.applying(.release)
        try ConversationState.checkRelease(by: actor, claimedBy: claimedByAgentId)
        state = target
        resolvedAt = now
        eventSequence += 1
        expiresAt = nil
        idleReleaseAt = nil
        slaDueAt = nil
        updatedAt = now
    }

    /// The claiming agent (or an owner) hands the conversation to `agent`; the idle timer starts again.
    mutating func transfer(
        to agent: Agent,
        by actor: ConversationActor,
        handoff: HandoffSettings,
        at now: Timestamp
    ) throws(AppError) {
        state = try state.applying(.transfer)
        try ConversationState.checkRelease(by: actor, claimedBy: claimedByAgentId)
        guard agent.id != claimedByAgentId else {
            throw AppError(.conflict, code: .alreadyAssigned, message: "\(agent.name) already has this conversation.")
        }
        claimedByAgentId = agent.id
        claimedByName = agent.name
        claimedByEmail = agent.email
        idleReleaseAt = now.adding(seconds: handoff.idleReleaseSeconds)
        eventSequence += 1
        updatedAt = now
    }

    /// The visitor's rating: only once a human released the conversation, and only once.
    mutating func rate(score: Int, comment: String?) throws(AppError) {
        guard state == .resolved else {
            throw AppError(
                .conflict,
                code: .conversationNotResolved,
                message: "A conversation can be rated once an agent released it; it is \(state.rawValue).",
                details: ["state": .string(state.rawValue)]
            )
        }
        guard ratedAt == nil else {
            throw AppError(.conflict, code: .alreadyRated, message: "This conversation has been rated already.")
        }
        let now = Timestamp.now()
        ratingScore = score
        ratingComment = comment
        ratedAt = now
        eventSequence += 1
        updatedAt = now
    }

    // MARK: Timers

    /// The timer that ran out by `now`, the earliest first, if any.
    func dueTimer(at now: Timestamp) -> HandoffTimer? {
        let deadlines: [(HandoffTimer, Timestamp?)] = [
            (.escalationTimeout, expiresAt), (.idleRelease, idleReleaseAt), (.firstResponseSla, slaDueAt),
        ]
        return deadlines.compactMap { timer, deadline in deadline.map { (timer, $0) } }
            .filter { $0.1 <= now }.min { $0.1 < $1.1 }?.0
    }

    /// Fires `timer` (which `dueTimer` answered): the transition or the breach, as the conversation's next event.
    mutating func fire(_ timer: HandoffTimer, at now: Timestamp) -> FiredHandoffTimer {
        let fired: FiredHandoffTimer
        switch timer {
        case .escalationTimeout:
            fired = FiredHandoffTimer(timer: timer, deadline: expiresAt ?? now, agentName: nil, breach: nil)
            state = .bot
            expiresAt = nil
            slaDueAt = nil
        case .idleRelease:
            fired = FiredHandoffTimer(
                timer: timer,
                deadline: idleReleaseAt ?? now,
                agentName: claimedByName,
                breach: nil
            )
            state = .resolved
            resolvedAt = now
            idleReleaseAt = nil
            slaDueAt = nil
        case .firstResponseSla:
            fired = FiredHandoffTimer(
                timer: timer,
                deadline: slaDueAt ?? now,
                agentName: claimedByName,
                breach: state == .escalated ? .claim : .reply
            )
            slaDueAt = nil
        }
        eventSequence += 1
        updatedAt = now
        return fired
    }

    /// The timers' deadlines once `message` is in: while `Active` each message starts the idle timer again, and
    /// the first agent reply since the escalation meets the first-response SLA.
    func timers(
        after message: Message,
        handoff: HandoffSettings
    ) -> (idleReleaseAt: Timestamp?, slaDueAt: Timestamp?, firstAgentReplyAt: Timestamp?) {
        let idle = state == .active ? message.createdAt.adding(seconds: handoff.idleReleaseSeconds) : idleReleaseAt
        guard message.role == .agent, firstAgentReplyAt == nil else { return (idle, slaDueAt, firstAgentReplyAt) }
        return (idle, nil, message.createdAt)
    }

    /// How long after the escalation `message` came, when it is the first agent reply since (for the metric).
    func firstReplyAfter(_ message: Message) -> Int64? {
        guard message.role == .agent, firstAgentReplyAt == nil, let escalatedAt else { return nil }
        return message.createdAt.millisecondsSince1970 - escalatedAt.millisecondsSince1970
    }

    /// Where the latest event stands among the conversation's events.
    var latestEvent: EventPosition { EventPosition(conversationID: id, sequence: eventSequence) }

    /// A refused claim says who has the conversation, if anyone.
    func claimRefusal(_ refusal: AppError) -> AppError {
        guard let name = claimedByName, let id = claimedByAgentId else { return refusal }
        return refusal.adding(
            message: "\(name) has it.",
            details: ["claimedBy": .object(["id": .string(id), "name": .string(name)])]
        )
    }
}

extension Message {
    /// A new message of `conversation`; its `seq` comes from the store.
    init(
        in conversation: Conversation,
        role: MessageRole,
        text: String,
        agent: Agent? = nil,
        sources: [MessageSource]? = nil,
        at time: Timestamp
    ) {
        self.init(
            seq: nil,
            id: newID(),
            conversationId: conversation.id,
            role: role,
            text: text,
            agentId: agent?.id,
            agentName: agent?.name,
            sources: sources,
            createdAt: time
        )
    }
}
