import Foundation
import PostgresNIO

extension PostgresStore {
    func startConversation(
        bot: Bot,
        _ new: NewConversation,
        reply: BotReply?
    ) async throws -> (conversation: Conversation, token: Credential, messages: [Message]) {
        let token = Credential.generate(.visitorToken)
        let started: (Conversation, [Message])
        do {
            // In a transaction, though it is one statement: outside one, PostgreSQL commits a statement of the
            // extended protocol only at the Sync after its results, so a database stopped in between rolls back a
            // start whose results the caller already had — acknowledged (201) and lost. COMMIT answers only once
            // it is durable.
            started = try await write { connection in
                try await start(new, with: bot, token: token, reply: reply, connection)
            }
        } catch let error as PSQLError where error.serverInfo?[.constraintName] == "conversation_botid_fkey" {
            throw AppError.notFound("Bot")  // deleted since the caller read it
        }
        let (conversation, messages) = started
        return (conversation, token, messages)
    }

    /// The listening hooks read, then one statement that inserts the conversation, its opening messages and their
    /// deliveries and sends the notifications: on a busy database each round trip counts.
    private func start(
        _ new: NewConversation,
        with bot: Bot,
        token: Credential,
        reply: BotReply?,
        _ connection: PostgresConnection
    ) async throws -> (Conversation, [Message]) {
        let now = Timestamp.now()
        var conversation = Conversation.started(new, bot: bot, token: token, at: now)
        var messages: [Message] = []
        if let text = new.initialMessage {
            messages.append(Message(in: conversation, role: .user, text: text, at: now))
            if let reply {
                messages.append(
                    Message(in: conversation, role: .bot, text: reply.text, sources: reply.sources, at: now)
                )
            }
        }
        var outbox = Outbox()
        outbox.fire(.conversationStarted, botID: bot.id, position: conversation.latestEvent) { [conversation] in
            try HookEvent.conversationStarted(conversation, botName: bot.name)
        }
        for message in messages {
            conversation.eventSequence += 1
            outbox.fire(.conversationMessage, botID: bot.id, position: conversation.latestEvent) {
                [conversation, sequence = conversation.eventSequence] in
                try HookEvent.conversationMessage(message, sequence: sequence, in: conversation, botName: bot.name)
            }
        }
        outbox.announce(conversation.change(stateChanged: true, messages: messages))
        var binds = PostgresBindings()
        var writes = [try PostgresConnection.insertion(of: [conversation], binding: &binds)]
        if !messages.isEmpty { writes.append(try Self.insertion(of: messages, binding: &binds)) }
        try await send(outbox, after: writes, binds, connection)
        return (conversation, messages)
    }

    func escalate(
        conversationID: String,
        userEmail: String,
        userData: Data?,
        clock: any TimerClock
    ) async throws -> Conversation {
        try await write { connection in
            let now = clock.now()
            var conversation = try await Self.conversation(id: conversationID, workspaceID: nil, lock: true, connection)
            let bot = try await Self.bot(id: conversation.botId, workspaceID: conversation.workspaceId, connection)
            try ConversationState.checkEscalation(
                channelType: conversation.channelType,
                humanTakeoverEnabled: bot.humanTakeoverEnabled
            )
            try conversation.escalate(userEmail: userEmail, userData: userData, handoff: bot.handoff, at: now)
            try await connection.update(conversation)
            var outbox = Outbox()
            outbox.fire(.conversationEscalated, botID: bot.id, position: conversation.latestEvent) { [conversation] in
                try HookEvent.conversationEscalated(conversation, botName: bot.name)
            }
            outbox.announce(conversation.change(stateChanged: true))
            try await send(outbox, connection)
            return conversation
        }
    }

    func claim(
        conversationID: String,
        agentID: String,
        workspaceID: String,
        clock: any TimerClock
    ) async throws -> Conversation {
        try await write { connection in
            let now = clock.now()
            let conversation = try await Self.conversation(id: conversationID, workspaceID: workspaceID, connection)
            guard let agent = try await connection.one(Agent.self, "SELECT * FROM agent WHERE id = \(agentID)") else {
                throw AppError.unauthenticated
            }
            return try await applyClaim(of: conversation, by: agent, at: now, assigned: false, connection)
        }
    }

    /// An agent takes `conversation` (a claim, or an assignment, which the agent's `lastAssignedAt` remembers). The
    /// update is conditional on the state read, and
    /// READ COMMITTED re-reads a row another claim changed before it updates: of any number of concurrent claims,
    /// on any instances, exactly one changes the row. The escalation timeout stops; the idle timer starts.
    func applyClaim(
        of conversation: Conversation,
        by agent: Agent,
        at now: Timestamp,
        assigned: Bool,
        _ connection: PostgresConnection
    ) async throws -> Conversation {
        let bot = try await Self.bot(id: conversation.botId, workspaceID: conversation.workspaceId, connection)
        let target: ConversationState
        do throws(AppError) {
            target = try conversation.state.applying(.claim)
        } catch {
            throw conversation.claimRefusal(error)
        }
        let claimed = try await connection.one(
            Conversation.self,
            """
            UPDATE conversation SET state = \(target), claimedByAgentId = \(agent.id),
              claimedByName = \(agent.name), claimedByEmail = \(agent.email), claimedAt = \(now), updatedAt = \(now),
              eventSequence = eventSequence + 1, expiresAt = NULL,
              idleReleaseAt = \(now.adding(seconds: bot.idleReleaseSeconds))
            WHERE id = \(conversation.id) AND state = \(conversation.state)
            RETURNING *
            """
        )
        // Lost a race: someone changed the state since it was read.
        guard let claimed else {
            let current = try await Self.conversation(
                id: conversation.id,
                workspaceID: conversation.workspaceId,
                connection
            )
            throw current.claimRefusal(current.state.refusal(of: .claim))
        }
        if assigned { try await connection.run("UPDATE agent SET lastAssignedAt = \(now) WHERE id = \(agent.id)") }
        var outbox = Outbox()
        outbox.fire(.conversationClaimed, botID: bot.id, position: claimed.latestEvent) {
            try HookEvent.conversationClaimed(claimed, botName: bot.name, agent: agent)
        }
        outbox.announce(claimed.change(stateChanged: true))
        try await send(outbox, connection)
        return claimed
    }

    func release(conversationID: String, by actor: ConversationActor, workspaceID: String) async throws -> Conversation
    {
        try await write { connection in
            var conversation = try await Self.conversation(
                id: conversationID,
                workspaceID: workspaceID,
                lock: true,
                connection
            )
            let agentName = conversation.claimedByName ?? ""
            try conversation.release(by: actor)
            try await connection.update(conversation)
            let bot = try await Self.bot(id: conversation.botId, workspaceID: workspaceID, connection)
            var outbox = Outbox()
            outbox.fire(.conversationReleased, botID: bot.id, position: conversation.latestEvent) { [conversation] in
                try HookEvent.conversationReleased(
                    conversation,
                    botName: bot.name,
                    agentName: agentName,
                    reason: .agent
                )
            }
            outbox.announce(conversation.change(stateChanged: true))
            try await send(outbox, connection)
            return conversation
        }
    }

    func transfer(
        conversationID: String,
        toAgentID: String,
        by actor: ConversationActor,
        workspaceID: String,
        clock: any TimerClock
    ) async throws -> (conversation: Conversation, from: Agent.Contact) {
        try await write { connection in
            let now = clock.now()
            var conversation = try await Self.conversation(
                id: conversationID,
                workspaceID: workspaceID,
                lock: true,
                connection
            )
            guard
                let agent = try await connection.one(
                    Agent.self,
                    "SELECT * FROM agent WHERE id = \(toAgentID) AND workspaceId = \(workspaceID)"
                )
            else { throw AppError.invalidField("agentId", "agentId is not an agent of this workspace.") }
            let bot = try await Self.bot(id: conversation.botId, workspaceID: workspaceID, connection)
            let from = Agent.Contact(name: conversation.claimedByName ?? "", email: conversation.claimedByEmail ?? "")
            try conversation.transfer(to: agent, by: actor, handoff: bot.handoff, at: now)
            try await connection.update(conversation)
            var outbox = Outbox()
            outbox.fire(.conversationTransferred, botID: bot.id, position: conversation.latestEvent) {
                [conversation] in
                try HookEvent.conversationTransferred(conversation, botName: bot.name, from: from, to: agent)
            }
            outbox.announce(conversation.change(stateChanged: true))
            try await send(outbox, connection)
            return (conversation, from)
        }
    }

    func rate(conversationID: String, score: Int, comment: String?) async throws -> Conversation {
        try await write { connection in
            var conversation = try await Self.conversation(id: conversationID, workspaceID: nil, lock: true, connection)
            try conversation.rate(score: score, comment: comment)
            try await connection.update(conversation)
            let bot = try await Self.bot(id: conversation.botId, workspaceID: nil, connection)
            var outbox = Outbox()
            outbox.fire(.conversationRated, botID: bot.id, position: conversation.latestEvent) { [conversation] in
                try HookEvent.conversationRated(conversation, botName: bot.name)
            }
            outbox.announce(conversation.change(stateChanged: true))
            try await send(outbox, connection)
            return conversation
        }
    }

    func ratings(botID: String, workspaceID: String, page: PageRequest) async throws -> RatingSummary {
        try await read { connection in
            _ = try await Self.bot(id: botID, workspaceID: workspaceID, connection)
            let rows = try await connection.query(
                "SELECT COUNT(*), AVG(ratingScore)::float8 FROM conversation WHERE botId = \(botID) AND ratedAt IS NOT NULL",
                logger: PostgresConnection.quiet
            )
            var totals: (Int, Double?) = (0, nil)
            for try await row in rows.decode((Int, Double?).self) { totals = row }
            return RatingSummary(
                page: try await Self.page(
                    Conversation.self,
                    from: "conversation",
                    where: "botId = \(botID) AND ratedAt IS NOT NULL",
                    page,
                    connection
                ),
                count: totals.0,
                average: totals.1
            )
        }
    }

    // MARK: Handoff timers

    func dueHandoffTimers(now: Timestamp, limit: Int) async throws -> [String] {
        try await read { connection in
            var ids: [String] = []
            let rows = try await connection.query(
                """
                SELECT id FROM conversation WHERE expiresAt <= \(now)
                UNION SELECT id FROM conversation WHERE idleReleaseAt <= \(now)
                UNION SELECT id FROM conversation WHERE slaDueAt <= \(now)
                LIMIT \(limit)
                """,
                logger: PostgresConnection.quiet
            )
            for try await id in rows.decode(String.self) { ids.append(id) }
            return ids
        }
    }

    /// The conversation's row is locked before its timer is read, so of several instances firing it at once the
    /// first fires it and the others find its deadline cleared.
    func fireHandoffTimer(
        conversationID: String,
        now: Timestamp
    ) async throws -> (fired: FiredHandoffTimer, conversation: Conversation, message: Message?)? {
        try await write { connection in
            var conversation: Conversation
            do {
                conversation = try await Self.conversation(id: conversationID, workspaceID: nil, lock: true, connection)
            } catch let error as AppError where error.status == .notFound {
                return nil  // deleted with its bot meanwhile
            }
            guard let timer = conversation.dueTimer(at: now) else { return nil }
            let bot = try await Self.bot(id: conversation.botId, workspaceID: nil, connection)
            let fired = conversation.fire(timer, at: now)
            try await connection.update(conversation)
            var outbox = Outbox()
            outbox.fire(timer.hookType, botID: bot.id, position: conversation.latestEvent) { [conversation] in
                try HookEvent.timerFired(fired, conversation, botName: bot.name)
            }
            var messages: [Message] = []
            if timer == .escalationTimeout {
                let text = bot.handoff.expiredMessage(userEmail: conversation.userEmail)
                messages = try await insertMessages(
                    [Message(in: conversation, role: .bot, text: text, at: now)],
                    of: conversation,
                    bot: bot,
                    into: &outbox,
                    connection
                )
            }
            outbox.announce(conversation.change(stateChanged: timer.transition != nil, messages: messages))
            try await send(outbox, connection)
            return (fired, conversation, messages.first)
        }
    }

    func nextHandoffDeadline() async throws -> Timestamp? {
        try await read { connection in
            let rows = try await connection.query(
                """
                SELECT LEAST(
                  (SELECT MIN(expiresAt) FROM conversation WHERE expiresAt IS NOT NULL),
                  (SELECT MIN(idleReleaseAt) FROM conversation WHERE idleReleaseAt IS NOT NULL),
                  (SELECT MIN(slaDueAt) FROM conversation WHERE slaDueAt IS NOT NULL))
                """,
                logger: PostgresConnection.quiet
            )
            var deadline: Timestamp?
            for try await value in rows.decode(Timestamp?.self) { deadline = value }
            return deadline
        }
    }

    func postVisitorMessage(
        conversationID: String,
        text: String,
        reply: BotReply?,
        clock: any TimerClock
    ) async throws -> (message: Message, reply: Message?) {
        try await write { connection in
            let now = clock.now()
            let conversation = try await Self.conversation(
                id: conversationID,
                workspaceID: nil,
                lock: true,
                connection
            )
            let bot = try await Self.bot(id: conversation.botId, workspaceID: nil, connection)
            var messages = [Message(in: conversation, role: .user, text: text, at: now)]
            if let reply, conversation.state.botAnswers {
                messages.append(
                    Message(in: conversation, role: .bot, text: reply.text, sources: reply.sources, at: now)
                )
            }
            var outbox = Outbox()
            messages = try await insertMessages(messages, of: conversation, bot: bot, into: &outbox, connection)
            outbox.announce(conversation.change(messages: messages))
            try await send(outbox, connection)
            return (messages[0], messages.count > 1 ? messages[1] : nil)
        }
    }

    func postAgentMessage(
        conversationID: String,
        agentID: String,
        workspaceID: String,
        text: String,
        clock: any TimerClock
    ) async throws -> (message: Message, firstReplyAfterMilliseconds: Int64?) {
        try await write { connection in
            let now = clock.now()
            let conversation = try await Self.conversation(
                id: conversationID,
                workspaceID: workspaceID,
                lock: true,
                connection
            )
            try conversation.state.checkAgentReply(by: agentID, claimedBy: conversation.claimedByAgentId)
            guard let agent = try await connection.one(Agent.self, "SELECT * FROM agent WHERE id = \(agentID)") else {
                throw AppError.notClaimingAgent
            }
            let bot = try await Self.bot(id: conversation.botId, workspaceID: nil, connection)
            var outbox = Outbox()
            let messages = try await insertMessages(
                [Message(in: conversation, role: .agent, text: text, agent: agent, at: now)],
                of: conversation,
                bot: bot,
                into: &outbox,
                connection
            )
            outbox.announce(conversation.change(messages: messages))
            try await send(outbox, connection)
            return (messages[0], conversation.firstReplyAfter(messages[0]))
        }
    }

    func messages(
        conversationID: String,
        workspaceID: String?,
        after: Int64?,
        limit: Int
    ) async throws -> (messages: [Message], next: Int64?) {
        try await read { connection in
            _ = try await Self.conversation(id: conversationID, workspaceID: workspaceID, connection)
            let rows = try await connection.all(
                Message.self,
                """
                SELECT * FROM message WHERE conversationId = \(conversationID) AND seq > \(after ?? 0)
                ORDER BY seq LIMIT \(limit + 1)
                """
            )
            let page = Array(rows.prefix(limit))
            return (page, rows.count > limit ? page.last?.seq : nil)
        }
    }

    func messages(ids: [String], conversationID: String) async throws -> [Message] {
        try await read { connection in
            try await connection.all(
                Message.self,
                "SELECT * FROM message WHERE conversationId = \(conversationID) AND id = ANY(\(ids)) ORDER BY seq"
            )
        }
    }

    /// Adds messages to a transcript in one statement, in order, as the conversation's next events (its row is
    /// locked: the caller read it `lock`ed), with the timers they move, and fires their `conversation.message`
    /// events.
    private func insertMessages(
        _ messages: [Message],
        of conversation: Conversation,
        bot: Bot,
        into outbox: inout Outbox,
        _ connection: PostgresConnection
    ) async throws -> [Message] {
        guard !messages.isEmpty else { return [] }
        var binds = PostgresBindings()
        let insertion = try Self.insertion(of: messages, binding: &binds)
        var after = conversation
        for message in messages {
            (after.idleReleaseAt, after.slaDueAt, after.firstAgentReplyAt) = after.timers(
                after: message,
                handoff: bot.handoff
            )
        }
        binds.append(conversation.eventSequence + messages.count)
        try binds.append(after.idleReleaseAt)
        try binds.append(after.slaDueAt)
        try binds.append(after.firstAgentReplyAt)
        binds.append(conversation.id)
        let first = binds.count - 4
        let counted = """
            UPDATE conversation SET eventSequence = $\(first), idleReleaseAt = $\(first + 1), slaDueAt = $\(first + 2),
              firstAgentReplyAt = $\(first + 3) WHERE id = $\(first + 4)
            """
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "WITH counted AS (\(counted)) \(insertion) RETURNING id, seq", binds: binds),
            logger: PostgresConnection.quiet
        )
        var seqs: [String: Int64] = [:]
        for try await (id, seq) in rows.decode((String, Int64).self) { seqs[id] = seq }
        return messages.enumerated().map { index, message in
            var message = message
            message.seq = seqs[message.id]
            let position = EventPosition(
                conversationID: conversation.id,
                sequence: conversation.eventSequence + index + 1
            )
            outbox.fire(.conversationMessage, botID: conversation.botId, position: position) { [message] in
                try HookEvent.conversationMessage(
                    message,
                    sequence: position.sequence,
                    in: conversation,
                    botName: bot.name
                )
            }
            return message
        }
    }

    /// The INSERT of `messages` (at least one), in order, with their values appended to `binds`; the database
    /// assigns their `seq`.
    private static func insertion(of messages: [Message], binding binds: inout PostgresBindings) throws -> String {
        var values: [String] = []
        for message in messages {
            let first = binds.count
            binds.append(message.id)
            binds.append(message.conversationId)
            try binds.append(message.role)
            binds.append(message.text)
            binds.append(message.agentId)
            binds.append(message.agentName)
            binds.append(try message.sources.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) })
            try binds.append(message.createdAt)
            values.append("(" + (first + 1...first + 8).map { "$\($0)" }.joined(separator: ", ") + ")")
        }
        return "INSERT INTO message (id, conversationId, role, text, agentId, agentName, sources, createdAt) VALUES "
            + values.joined(separator: ", ")
    }

    func conversation(id: String, workspaceID: String?) async throws -> Conversation {
        try await read { connection in try await Self.conversation(id: id, workspaceID: workspaceID, connection) }
    }

    func conversation(visitorTokenHash: String) async throws -> Conversation? {
        try await read { connection in
            try await connection.one(
                Conversation.self,
                "SELECT * FROM conversation WHERE visitorTokenHash = \(visitorTokenHash)"
            )
        }
    }

    func conversations(
        workspaceID: String,
        state: ConversationState?,
        botID: String?,
        page: PageRequest
    ) async throws -> Page<Conversation> {
        try await read { connection in
            try await Self.page(
                Conversation.self,
                from: "conversation",
                where: """
                    workspaceId = \(workspaceID) AND (\(state)::text IS NULL OR state = \(state))
                    AND (\(botID)::text IS NULL OR botId = \(botID))
                    """,
                page,
                connection
            )
        }
    }

    func conversationCountsByState() async throws -> [(ConversationState, Int)] {
        try await read { connection in
            var counts: [String: Int] = [:]
            let rows = try await connection.query(
                "SELECT state, COUNT(*) FROM conversation GROUP BY state",
                logger: PostgresConnection.quiet
            )
            for try await (state, count) in rows.decode((String, Int).self) { counts[state] = count }
            return ConversationState.allCases.map { ($0, counts[$0.rawValue] ?? 0) }
        }
    }

    /// A conversation of `workspaceID` (any when nil), or 404; `lock` holds its row until the transaction ends,
    /// so two transitions of one conversation on different instances happen one after the other.
    private static func conversation(
        id: String,
        workspaceID: String?,
        lock: Bool = false,
        _ connection: PostgresConnection
    ) async throws -> Conversation {
        var query: PostgresQuery =
            "SELECT * FROM conversation WHERE id = \(id) AND (\(workspaceID)::text IS NULL OR workspaceId = \(workspaceID))"
        if lock { query.sql += " FOR NO KEY UPDATE" }
        guard let conversation = try await connection.one(Conversation.self, query) else {
            throw AppError.notFound("Conversation")
        }
        return conversation
    }
}
