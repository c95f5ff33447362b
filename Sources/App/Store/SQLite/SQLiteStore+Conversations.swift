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
                    messages.append(
                        try insertMessage(in: conversation, bot: bot, role: .user, text: text, at: now, db)
                    )
                    if let reply {
                        messages.append(
                            try insertMessage(
                                in: conversation,
                                bot: bot,
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

    func escalate(
        conversationID: String,
        userEmail: String,
        userData: Data?,
        clock: any TimerClock
    ) async throws -> Conversation {
        try await pool.write { db in
            let now = clock.now()
            var conversation = try Self.conversation(id: conversationID, workspaceID: nil, db)
            let bot = try Self.bot(id: conversation.botId, workspaceID: conversation.workspaceId, db)
            try ConversationState.checkEscalation(
                channelType: conversation.channelType,
                humanTakeoverEnabled: bot.humanTakeoverEnabled
            )
            try conversation.escalate(userEmail: userEmail, userData: userData, handoff: bot.handoff, at: now)
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

    func claim(
        conversationID: String,
        agentID: String,
        workspaceID: String,
        clock: any TimerClock
    ) async throws -> Conversation {
        try await pool.write { db in
            let now = clock.now()
            let conversation = try Self.conversation(id: conversationID, workspaceID: workspaceID, db)
            guard let agent = try Agent.fetchOne(db, key: agentID) else { throw AppError.unauthenticated }
            return try applyClaim(of: conversation, by: agent, at: now, assigned: false, db)
        }
    }

    func assignNext(workspaceID: String, now: Timestamp) async throws -> (conversation: Conversation, agent: Agent)? {
        // Most calls find nothing waiting (a bot whose agents claim, a quiet queue): a read says so without
        // queueing for the writer.
        let waits = try await pool.read { db in
            try Row.fetchOne(
                db.cachedStatement(sql: AssignmentQueries.oldestWaiting(workspace: "?1")),
                arguments: [workspaceID]
            ) != nil
        }
        guard waits else { return nil }
        return try await pool.write { db in
            guard
                let waiting = try Conversation.fetchOne(
                    db.cachedStatement(sql: AssignmentQueries.oldestWaiting(workspace: "?1")),
                    arguments: [workspaceID]
                ),
                let agent = try Agent.fetchOne(
                    db.cachedStatement(sql: AssignmentQueries.nextAgent(now: "?1", workspace: "?2")),
                    arguments: [Timestamp.now(), workspaceID]
                )
            else { return nil }
            return (try applyClaim(of: waiting, by: agent, at: now, assigned: true, db), agent)
        }
    }

    func workspacesAwaitingAssignment() async throws -> [String] {
        try await pool.read { db in try String.fetchAll(db, sql: AssignmentQueries.workspacesAwaiting) }
    }

    /// An agent takes `conversation` (a claim, or an assignment, which the agent's `lastAssignedAt` remembers):
    /// conditional on the state read, so of any number of concurrent claims exactly one changes the row; the
    /// escalation timeout stops and the idle timer starts.
    private func applyClaim(
        of conversation: Conversation,
        by agent: Agent,
        at now: Timestamp,
        assigned: Bool,
        _ db: Database
    ) throws -> Conversation {
        let bot = try Self.bot(id: conversation.botId, workspaceID: conversation.workspaceId, db)
        let target: ConversationState
        do throws(AppError) {
            target = try conversation.state.applying(.claim)
        } catch {
            throw conversation.claimRefusal(error)
        }
        let changed =
            try Conversation
            .filter(
                Conversation.Columns.id == conversation.id
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
                Column("expiresAt").set(to: nil),
                Column("idleReleaseAt").set(to: now.adding(seconds: bot.idleReleaseSeconds)),
                Conversation.Columns.eventSequence += 1
            )
        // Lost a race: someone changed the state since it was read.
        guard changed == 1 else {
            let current = try Self.conversation(id: conversation.id, workspaceID: conversation.workspaceId, db)
            throw current.claimRefusal(current.state.refusal(of: .claim))
        }
        if assigned {
            try db.execute(sql: "UPDATE agent SET lastAssignedAt = ? WHERE id = ?", arguments: [now, agent.id])
        }
        let claimed = try Self.conversation(id: conversation.id, workspaceID: conversation.workspaceId, db)
        try enqueueDeliveries(
            event: .conversationClaimed,
            botID: bot.id,
            position: claimed.latestEvent,
            payload: HookEvent.conversationClaimed(claimed, botName: bot.name, agent: agent),
            db
        )
        return claimed
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
                payload: HookEvent.conversationReleased(
                    conversation,
                    botName: bot.name,
                    agentName: agentName,
                    reason: .agent
                ),
                db
            )
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
        try await pool.write { db in
            let now = clock.now()
            var conversation = try Self.conversation(id: conversationID, workspaceID: workspaceID, db)
            guard
                let agent = try Agent.filter(Agent.Columns.id == toAgentID && Agent.Columns.workspaceId == workspaceID)
                    .fetchOne(db)
            else { throw AppError.invalidField("agentId", "agentId is not an agent of this workspace.") }
            let bot = try Self.bot(id: conversation.botId, workspaceID: workspaceID, db)
            let from = Agent.Contact(name: conversation.claimedByName ?? "", email: conversation.claimedByEmail ?? "")
            try conversation.transfer(to: agent, by: actor, handoff: bot.handoff, at: now)
            try conversation.update(db)
            try enqueueDeliveries(
                event: .conversationTransferred,
                botID: bot.id,
                position: conversation.latestEvent,
                payload: HookEvent.conversationTransferred(conversation, botName: bot.name, from: from, to: agent),
                db
            )
            return (conversation, from)
        }
    }

    func rate(conversationID: String, score: Int, comment: String?) async throws -> Conversation {
        try await pool.write { db in
            var conversation = try Self.conversation(id: conversationID, workspaceID: nil, db)
            try conversation.rate(score: score, comment: comment)
            try conversation.update(db)
            let bot = try Self.bot(id: conversation.botId, workspaceID: nil, db)
            try enqueueDeliveries(
                event: .conversationRated,
                botID: bot.id,
                position: conversation.latestEvent,
                payload: HookEvent.conversationRated(conversation, botName: bot.name),
                db
            )
            return conversation
        }
    }

    func ratings(botID: String, workspaceID: String, page: PageRequest) async throws -> RatingSummary {
        try await pool.read { db in
            _ = try Self.bot(id: botID, workspaceID: workspaceID, db)
            let rated = Conversation.filter(Conversation.Columns.botId == botID && Column("ratedAt") != nil)
            let totals = try Row.fetchOne(
                db,
                sql:
                    "SELECT COUNT(*) AS n, AVG(ratingScore) AS average FROM conversation WHERE botId = ? AND ratedAt IS NOT NULL",
                arguments: [botID]
            )
            return RatingSummary(
                page: try Self.page(rated, page, db),
                count: totals?["n"] ?? 0,
                average: totals?["average"]
            )
        }
    }

    // MARK: Handoff timers

    func dueHandoffTimers(now: Timestamp, limit: Int) async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT id FROM conversation WHERE expiresAt <= ?1
                    UNION SELECT id FROM conversation WHERE idleReleaseAt <= ?1
                    UNION SELECT id FROM conversation WHERE slaDueAt <= ?1
                    LIMIT ?2
                    """,
                arguments: [now, limit]
            )
        }
    }

    func fireHandoffTimer(
        conversationID: String,
        now: Timestamp
    ) async throws -> (fired: FiredHandoffTimer, conversation: Conversation, message: Message?)? {
        try await pool.write { db in
            guard var conversation = try Conversation.fetchOne(db, key: conversationID),
                let timer = conversation.dueTimer(at: now)
            else { return nil }
            let bot = try Self.bot(id: conversation.botId, workspaceID: nil, db)
            let fired = conversation.fire(timer, at: now)
            try conversation.update(db)
            try enqueueDeliveries(
                event: timer.hookType,
                botID: bot.id,
                position: conversation.latestEvent,
                payload: HookEvent.timerFired(fired, conversation, botName: bot.name),
                db
            )
            guard timer == .escalationTimeout else { return (fired, conversation, nil) }
            let note = try insertMessage(
                in: conversation,
                bot: bot,
                role: .bot,
                text: bot.handoff.expiredMessage(userEmail: conversation.userEmail),
                at: now,
                db
            )
            return (fired, conversation, note)
        }
    }

    func nextHandoffDeadline() async throws -> Timestamp? {
        try await pool.read { db in
            try Timestamp.fetchOne(
                db,
                sql: """
                    SELECT MIN(deadline) FROM (
                      SELECT MIN(expiresAt) AS deadline FROM conversation WHERE expiresAt IS NOT NULL
                      UNION ALL SELECT MIN(idleReleaseAt) FROM conversation WHERE idleReleaseAt IS NOT NULL
                      UNION ALL SELECT MIN(slaDueAt) FROM conversation WHERE slaDueAt IS NOT NULL)
                    """
            )
        }
    }

    // MARK: Messages

    func postVisitorMessage(
        conversationID: String,
        text: String,
        reply: BotReply? = nil,
        clock: any TimerClock
    ) async throws
        -> (message: Message, reply: Message?)
    {
        try await pool.write { db in
            let now = clock.now()
            let conversation = try Self.conversation(id: conversationID, workspaceID: nil, db)
            let bot = try Self.bot(id: conversation.botId, workspaceID: nil, db)
            let message = try insertMessage(in: conversation, bot: bot, role: .user, text: text, at: now, db)
            guard let reply, conversation.state.botAnswers else { return (message, nil) }
            let answer = try insertMessage(
                in: conversation,
                bot: bot,
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
        text: String,
        clock: any TimerClock
    ) async throws
        -> (message: Message, firstReplyAfterMilliseconds: Int64?)
    {
        try await pool.write { db in
            let now = clock.now()
            let conversation = try Self.conversation(id: conversationID, workspaceID: workspaceID, db)
            try conversation.state.checkAgentReply(by: agentID, claimedBy: conversation.claimedByAgentId)
            guard let agent = try Agent.fetchOne(db, key: agentID) else { throw AppError.notClaimingAgent }
            let bot = try Self.bot(id: conversation.botId, workspaceID: nil, db)
            let message = try insertMessage(
                in: conversation,
                bot: bot,
                role: .agent,
                text: text,
                agent: agent,
                at: now,
                db
            )
            return (message, conversation.firstReplyAfter(message))
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
    /// conversation's next event. While `Active` it starts the idle timer again; an agent's first reply stops the SLA.
    @discardableResult
    private func insertMessage(
        in conversation: Conversation,
        bot: Bot,
        role: MessageRole,
        text: String,
        agent: Agent? = nil,
        sources: [MessageSource]? = nil,
        at time: Timestamp,
        _ db: Database
    ) throws -> Message {
        let message = Message(in: conversation, role: role, text: text, agent: agent, sources: sources, at: time)
        try message.insert(db)
        let timers = conversation.timers(after: message, handoff: bot.handoff)
        // Most messages move no timer (the bot has none, or the conversation is not Active): those leave the
        // deadline columns, and their indexes, alone.
        let movesTimers =
            timers.idleReleaseAt != conversation.idleReleaseAt || timers.slaDueAt != conversation.slaDueAt
            || timers.firstAgentReplyAt != conversation.firstAgentReplyAt
        let sequence =
            movesTimers
            ? try Int.fetchOne(
                db.cachedStatement(
                    sql: """
                        UPDATE conversation SET eventSequence = eventSequence + 1, idleReleaseAt = ?, slaDueAt = ?,
                          firstAgentReplyAt = ?
                        WHERE id = ? RETURNING eventSequence
                        """
                ),
                arguments: [timers.idleReleaseAt, timers.slaDueAt, timers.firstAgentReplyAt, conversation.id]
            )
            : try Int.fetchOne(
                db.cachedStatement(
                    sql:
                        "UPDATE conversation SET eventSequence = eventSequence + 1 WHERE id = ? RETURNING eventSequence"
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
                botName: bot.name
            ),
            db
        )
        return message
    }

    /// One instance: nobody else to tell.
    func announce(_ change: ConversationChange) async throws {}

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
