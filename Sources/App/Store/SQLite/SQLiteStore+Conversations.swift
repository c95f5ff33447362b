import Foundation
import GRDB

extension SQLiteStore {
    // MARK: Transitions — each one transaction: state, message, hook deliveries.

    func startConversation(
        bot: Bot,
        _ new: NewConversation,
        reply: BotReply? = nil
    ) async throws
        -> (conversation: Conversation, token: Credential, messages: [Message])
    {
        let token = Credential.generate(.visitorToken)
        let started: (Conversation, [Message])
        do {
            started = try await pool.write { db in
                let now = Timestamp.now()
                let conversation = Conversation.started(new, bot: bot, token: token, at: now)
                try conversation.insert(db)
                try enqueueDeliveries(
                    event: .conversationStarted,
                    botID: bot.id,
                    position: conversation.latestEvent,
                    payload: HookEvent.conversationStarted(conversation, botName: bot.name),
                    db
                )
                var messages: [Message] = []
                if let text = new.initialMessage {
                    messages.append(try insertMessage(in: conversation, role: .user, text: text, at: now, db))
                    if let reply {
                        messages.append(
                            try insertMessage(
                                in: conversation,
                                role: .bot,
                                text: reply.text,
                                sources: reply.sources,
                                at: now,
                                db
                            )
                        )
                    }
                }
                return (conversation, messages)
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY {
            throw AppError.notFound("Bot")  // deleted since the caller read it
        }
        let (conversation, messages) = started
        return (conversation, token, messages)
    }

    func escalate(conversationID: String, userEmail: String, userData: Data?) async throws -> Conversation {
        try await pool.write { db in
            var conversation = try Self.conversation(id: conversationID, workspaceID: nil, db)
            let bot = try Self.bot(id: conversation.botId, workspaceID: conversation.workspaceId, db)
            try ConversationState.checkEscalation(
                channelType: conversation.channelType,
                humanTakeoverEnabled: bot.humanTakeoverEnabled
            )
            try conversation.escalate(userEmail: userEmail, userData: userData)
            try conversation.update(db)
            try enqueueDeliveries(
                event: .conversationEscalated,
                botID: bot.id,
                position: conversation.latestEvent,
                payload: HookEvent.conversationEscalated(conversation, botName: bot.name),
                db
            )
            return conversation
        }
    }

    func claim(conversationID: String, agentID: String, workspaceID: String) async throws -> Conversation {
        try await pool.write { db in
            var conversation = try Self.conversation(id: conversationID, workspaceID: workspaceID, db)
            guard let agent = try Agent.fetchOne(db, key: agentID) else { throw AppError.unauthenticated }
            let now = Timestamp.now()
            let target: ConversationState
            do throws(AppError) {
                target = try conversation.state.applying(.claim)
            } catch {
                throw conversation.claimRefusal(error)
            }
            let changed =
                try Conversation
                .filter(
                    Conversation.Columns.id == conversationID
                        && Conversation.Columns.state == conversation.state.rawValue
                )
                .updateAll(
                    db,
                    Conversation.Columns.state.set(to: target.rawValue),
                    Column("claimedByAgentId").set(to: agent.id),
                    Column("claimedByName").set(to: agent.name),
                    Column("claimedByEmail").set(to: agent.email),
                    Column("claimedAt").set(to: now),
                    Column("updatedAt").set(to: now),
                    Conversation.Columns.eventSequence += 1
                )
            // Lost a race: someone changed the state since it was read.
            guard changed == 1 else {
                let current = try Self.conversation(id: conversationID, workspaceID: workspaceID, db)
                throw current.claimRefusal(current.state.refusal(of: .claim))
            }
            conversation = try Self.conversation(id: conversationID, workspaceID: workspaceID, db)
            let bot = try Self.bot(id: conversation.botId, workspaceID: workspaceID, db)
            try enqueueDeliveries(
                event: .conversationClaimed,
                botID: bot.id,
                position: conversation.latestEvent,
                payload: HookEvent.conversationClaimed(conversation, botName: bot.name, agent: agent),
                db
            )
            return conversation
        }
    }

    func release(conversationID: String, by actor: ConversationActor, workspaceID: String) async throws -> Conversation
    {
        try await pool.write { db in
            var conversation = try Self.conversation(id: conversationID, workspaceID: workspaceID, db)
            let agentName = conversation.claimedByName ?? ""
            try conversation.release(by: actor)
            try conversation.update(db)
            let bot = try Self.bot(id: conversation.botId, workspaceID: workspaceID, db)
            try enqueueDeliveries(
                event: .conversationReleased,
                botID: bot.id,
                position: conversation.latestEvent,
                payload: HookEvent.conversationReleased(conversation, botName: bot.name, agentName: agentName),
                db
            )
            return conversation
        }
    }

    // MARK: Messages

    func postVisitorMessage(
        conversationID: String,
        text: String,
        reply: BotReply? = nil
    ) async throws
        -> (message: Message, reply: Message?)
    {
        try await pool.write { db in
            let conversation = try Self.conversation(id: conversationID, workspaceID: nil, db)
            let now = Timestamp.now()
            let message = try insertMessage(in: conversation, role: .user, text: text, at: now, db)
            guard let reply, conversation.state.botAnswers else { return (message, nil) }
            let answer = try insertMessage(
                in: conversation,
                role: .bot,
                text: reply.text,
                sources: reply.sources,
                at: now,
                db
            )
            return (message, answer)
        }
    }

    func postAgentMessage(
        conversationID: String,
        agentID: String,
        workspaceID: String,
        text: String
    ) async throws
        -> Message
    {
        try await pool.write { db in
            let conversation = try Self.conversation(id: conversationID, workspaceID: workspaceID, db)
            try conversation.state.checkAgentReply(by: agentID, claimedBy: conversation.claimedByAgentId)
            guard let agent = try Agent.fetchOne(db, key: agentID) else { throw AppError.notClaimingAgent }
            return try insertMessage(in: conversation, role: .agent, text: text, agent: agent, at: .now(), db)
        }
    }

    func messages(
        conversationID: String,
        workspaceID: String?,
        after: Int64?,
        limit: Int
    ) async throws
        -> (messages: [Message], next: Int64?)
    {
        try await pool.read { db in
            _ = try Self.conversation(id: conversationID, workspaceID: workspaceID, db)
            var request = Message.filter(Message.Columns.conversationId == conversationID)
            if let after { request = request.filter(Message.Columns.seq > after) }
            let rows = try request.order(Message.Columns.seq).limit(limit + 1).fetchAll(db)
            let page = Array(rows.prefix(limit))
            return (page, rows.count > limit ? page.last?.seq : nil)
        }
    }

    func messages(ids: [String], conversationID: String) async throws -> [Message] {
        try await pool.read { db in
            try Message.filter(Message.Columns.conversationId == conversationID && ids.contains(Column("id")))
                .order(Message.Columns.seq).fetchAll(db)
        }
    }

    /// Adds a message to a transcript with its `conversation.message` deliveries, in the caller's transaction: the
    /// conversation's next event.
    @discardableResult
    private func insertMessage(
        in conversation: Conversation,
        role: MessageRole,
        text: String,
        agent: Agent? = nil,
        sources: [MessageSource]? = nil,
        at time: Timestamp,
        _ db: Database
    ) throws -> Message {
        let message = Message(in: conversation, role: role, text: text, agent: agent, sources: sources, at: time)
        try message.insert(db)
        let sequence = try Int.fetchOne(
            db.cachedStatement(
                sql: "UPDATE conversation SET eventSequence = eventSequence + 1 WHERE id = ? RETURNING eventSequence"
            ),
            arguments: [conversation.id]
        )
        let position = EventPosition(conversationID: conversation.id, sequence: sequence ?? 0)
        try enqueueDeliveries(
            event: .conversationMessage,
            botID: conversation.botId,
            position: position,
            payload: HookEvent.conversationMessage(
                message,
                sequence: position.sequence,
                in: conversation,
                botName: try Bot.fetchOne(db, key: conversation.botId)?.name ?? ""
            ),
            db
        )
        return message
    }

    // MARK: Reading

    func conversation(id: String, workspaceID: String?) async throws -> Conversation {
        try await pool.read { db in try Self.conversation(id: id, workspaceID: workspaceID, db) }
    }

    func conversation(visitorTokenHash: String) async throws -> Conversation? {
        try await pool.read { db in
            try Conversation.filter(Conversation.Columns.visitorTokenHash == visitorTokenHash).fetchOne(db)
        }
    }

    func conversations(
        workspaceID: String,
        state: ConversationState?,
        botID: String?,
        page: PageRequest
    )
        async throws -> Page<Conversation>
    {
        try await pool.read { db in
            var request = Conversation.filter(Conversation.Columns.workspaceId == workspaceID)
            if let state { request = request.filter(Conversation.Columns.state == state.rawValue) }
            if let botID { request = request.filter(Conversation.Columns.botId == botID) }
            return try Self.page(request, page, db)
        }
    }

    func conversationCountsByState() async throws -> [(ConversationState, Int)] {
        try await pool.read { db in
            let counts = try Dictionary(
                uniqueKeysWithValues: Row.fetchAll(
                    db,
                    sql: "SELECT state, COUNT(*) AS n FROM conversation GROUP BY state"
                )
                .map { (row: Row) in (row["state"] as String, row["n"] as Int) }
            )
            return ConversationState.allCases.map { ($0, counts[$0.rawValue] ?? 0) }
        }
    }

    private static func conversation(id: String, workspaceID: String?, _ db: Database) throws -> Conversation {
        var request = Conversation.filter(Conversation.Columns.id == id)
        if let workspaceID { request = request.filter(Conversation.Columns.workspaceId == workspaceID) }
        guard let conversation = try request.fetchOne(db) else { throw AppError.notFound("Conversation") }
        return conversation
    }
}
