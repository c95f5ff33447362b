import Foundation

/// The JSON bodies hooks carry (DESIGN.md §6), encoded once and stored byte for byte in the outbox.
enum HookEvent {
    /// The body of a test send: the envelope of the conversation events, naming the hook.
    static func test(hook: Hook, botName: String, at time: Timestamp) throws -> Data {
        try encode(
            .object([
                "event": .string("test"),
                "timestamp": .string(time.iso8601),
                "hook": .object(["id": .string(hook.id), "type": .string(hook.type.rawValue)]),
                "bot": .object(["id": .string(hook.botId), "name": .string(botName)]),
            ])
        )
    }

    static func encode(_ value: JSONValue) throws -> Data {
        try JSONEncoder.api().encode(value)
    }
}

extension HookEvent {
    // The conversation hooks, keyed exactly as `reference/001_0853b0092a8e0cba.txt` (DESIGN.md §6), with the
    // event's `sequence` in its conversation added. A transition's is the conversation's `eventSequence` after it.

    static func conversationStarted(_ conversation: Conversation, botName: String) throws -> Data {
        var summary = conversationSummary(conversation, botName: botName, withState: false)
        if let initialMessage = conversation.initialMessage { summary["initialMessage"] = .string(initialMessage) }
        summary["createdAt"] = .string(conversation.createdAt.iso8601)
        return try envelope(
            "conversation.started",
            at: conversation.createdAt,
            sequence: 1,
            ["conversation": .object(summary)]
        )
    }

    static func conversationEscalated(_ conversation: Conversation, botName: String) throws -> Data {
        var summary = conversationSummary(conversation, botName: botName, withState: true)
        summary["userData"] = conversation.userDataJSON
        return try envelope(
            "conversation.escalated",
            at: conversation.updatedAt,
            sequence: conversation.eventSequence,
            ["conversation": .object(summary), "userEmail": .string(conversation.userEmail ?? "")]
        )
    }

    static func conversationClaimed(_ conversation: Conversation, botName: String, agent: Agent) throws -> Data {
        try envelope(
            "conversation.claimed",
            at: conversation.updatedAt,
            sequence: conversation.eventSequence,
            [
                "conversation": .object(conversationSummary(conversation, botName: botName, withState: true)),
                "agent": .object(["name": .string(agent.name), "email": .string(agent.email)]),
            ]
        )
    }

    /// The reference's keys, and why: `agent` (by hand) or `idle`.
    static func conversationReleased(
        _ conversation: Conversation,
        botName: String,
        agentName: String,
        reason: ReleaseReason
    ) throws -> Data {
        try envelope(
            "conversation.released",
            at: conversation.updatedAt,
            sequence: conversation.eventSequence,
            [
                "conversation": .object(conversationSummary(conversation, botName: botName, withState: true)),
                "agent": .object(["name": .string(agentName)]),
                "reason": .string(reason.rawValue),
            ]
        )
    }

    /// Beyond the reference: the claiming agent (or an owner) handed the conversation to another agent.
    static func conversationTransferred(
        _ conversation: Conversation,
        botName: String,
        from: Agent.Contact,
        to agent: Agent
    ) throws -> Data {
        try envelope(
            "conversation.transferred",
            at: conversation.updatedAt,
            sequence: conversation.eventSequence,
            [
                "conversation": .object(conversationSummary(conversation, botName: botName, withState: true)),
                "from": .object(["name": .string(from.name), "email": .string(from.email)]),
                "to": .object(["name": .string(agent.name), "email": .string(agent.email)]),
            ]
        )
    }

    /// Beyond the reference: the visitor rated the conversation after its release.
    static func conversationRated(_ conversation: Conversation, botName: String) throws -> Data {
        var rating: [String: JSONValue] = ["score": .number(Double(conversation.ratingScore ?? 0))]
        if let comment = conversation.ratingComment { rating["comment"] = .string(comment) }
        return try envelope(
            "conversation.rated",
            at: conversation.updatedAt,
            sequence: conversation.eventSequence,
            [
                "conversation": .object(conversationSummary(conversation, botName: botName, withState: true)),
                "rating": .object(rating),
            ]
        )
    }

    /// What a handoff timer that fired sends: the expiry, the idle release or the SLA breach. Its time is the
    /// conversation's change; how late the timer fired shows as `overdueSeconds` where the payload has it.
    static func timerFired(_ fired: FiredHandoffTimer, _ conversation: Conversation, botName: String) throws -> Data {
        let summary = JSONValue.object(conversationSummary(conversation, botName: botName, withState: true))
        switch fired.timer {
        case .escalationTimeout:
            let waited =
                (conversation.updatedAt.millisecondsSince1970
                    - (conversation.escalatedAt ?? conversation.updatedAt).millisecondsSince1970) / 1000
            return try envelope(
                "conversation.escalation_expired",
                at: conversation.updatedAt,
                sequence: conversation.eventSequence,
                [
                    "conversation": summary, "userEmail": .string(conversation.userEmail ?? ""),
                    "waitedSeconds": .number(Double(waited)),
                ]
            )
        case .idleRelease:
            return try conversationReleased(
                conversation,
                botName: botName,
                agentName: fired.agentName ?? "",
                reason: .idle
            )
        case .firstResponseSla:
            let overdue = max(0, conversation.updatedAt.millisecondsSince1970 - fired.deadline.millisecondsSince1970)
            let sla =
                fired.deadline.millisecondsSince1970
                - (conversation.escalatedAt ?? fired.deadline).millisecondsSince1970
            var fields: [String: JSONValue] = [
                "conversation": summary, "breach": .string((fired.breach ?? .claim).rawValue),
                "slaSeconds": .number(Double(sla / 1000)), "overdueSeconds": .number(Double(overdue) / 1000),
            ]
            if let agentName = fired.agentName { fields["agent"] = .object(["name": .string(agentName)]) }
            return try envelope(
                "conversation.sla_breached",
                at: conversation.updatedAt,
                sequence: conversation.eventSequence,
                fields
            )
        }
    }

    /// Beyond the reference: every message of a transcript, as the API shows it.
    static func conversationMessage(
        _ message: Message,
        sequence: Int,
        in conversation: Conversation,
        botName: String
    ) throws -> Data {
        let shown = try JSONDecoder().decode(
            JSONValue.self,
            from: JSONEncoder.api().encode(MessageResponse(message: message, audience: .staff))
        )
        return try envelope(
            "conversation.message",
            at: message.createdAt,
            sequence: sequence,
            [
                "conversation": .object(conversationSummary(conversation, botName: botName, withState: true)),
                "message": shown,
            ]
        )
    }

    private static func conversationSummary(
        _ conversation: Conversation,
        botName: String,
        withState: Bool
    ) -> [String: JSONValue] {
        var summary: [String: JSONValue] = [
            "id": .string(conversation.id), "botId": .string(conversation.botId), "botName": .string(botName),
            "channelType": .string(conversation.channelType),
        ]
        if withState { summary["state"] = .string(conversation.state.rawValue) }
        return summary
    }

    private static func envelope(
        _ event: String,
        at time: Timestamp,
        sequence: Int,
        _ fields: [String: JSONValue]
    ) throws -> Data {
        var body = fields
        body["event"] = .string(event)
        body["timestamp"] = .string(time.iso8601)
        body["sequence"] = .number(Double(sequence))
        return try encode(.object(body))
    }
}

extension Conversation {
    /// The stored `userData`, or `{}`.
    var userDataJSON: JSONValue {
        userData.flatMap { try? JSONDecoder().decode(JSONValue.self, from: $0) } ?? .object([:])
    }
}

extension HookEvent {
    // The sync hooks, keyed as the reference (DESIGN.md §6), with ids and a timestamp added.

    static func syncSucceeded(_ job: SyncJob, bot: Bot, dataSource: DataSource) throws -> Data {
        try encode(
            .object(
                syncFields(job, bot: bot, dataSource: dataSource).merging([
                    "success": .bool(true),
                    "results": job.results ?? .object([:]),
                ]) { $1 }
            )
        )
    }

    static func syncFailed(_ job: SyncJob, reason: String, bot: Bot, dataSource: DataSource) throws -> Data {
        try encode(
            .object(
                syncFields(job, bot: bot, dataSource: dataSource).merging([
                    "success": .bool(false), "reason": .string(reason),
                ]) { $1 }
            )
        )
    }

    private static func syncFields(_ job: SyncJob, bot: Bot, dataSource: DataSource) -> [String: JSONValue] {
        [
            "bot": .string(bot.name), "dataSource": .string(dataSource.name), "botId": .string(bot.id),
            "dataSourceId": .string(dataSource.id), "syncId": .string(job.id),
            "timestamp": .string((job.finishedAt ?? .now()).iso8601),
        ]
    }
}

extension SyncJob {
    /// The five result numbers of a succeeded sync, keyed as the reference's `sync.success` body.
    var results: JSONValue? {
        guard status == .succeeded else { return nil }
        return .object([
            "totalTokens": .number(Double(totalTokens ?? 0)),
            "modifiedRows": .number(Double(modifiedRows ?? 0)),
            "totalDocuments": .number(Double(totalDocuments ?? 0)),
            "unmodifiedRows": .number(Double(unmodifiedRows ?? 0)),
            "totalDataSourceRows": .number(Double(totalDataSourceRows ?? 0)),
        ])
    }
}
