import Embedding
import Foundation
import Tokenizer

/// Everything Switchboard keeps, behind one protocol with two implementations: `SQLiteStore` (one file, the
/// embedded default) and `PostgresStore` (one database shared by several instances). Each method is one
/// transaction that keeps one invariant; the rules themselves live in `Domain/`, and both stores call them.
protocol Store: Sendable {
    /// Fired after every commit that makes a delivery due (on any instance), so delivery workers need no polling.
    var deliveriesWritten: WakeUpSignal { get }
    /// Fired after every commit that queues a sync (on any instance).
    var syncsQueued: WakeUpSignal { get }
    /// Conversation changes that other instances on this database announced: each transaction that changes a
    /// conversation announces it as it commits. With SQLite there is no other instance.
    var announcements: Announcements<ConversationChange> { get }
    /// Syncs that other instances run, as they start, move on and end (section 7, "Progress").
    var syncAnnouncements: Announcements<SyncJob> { get }

    /// Tells the other instances on this database of a change nothing was written for (typing); with SQLite there
    /// are none.
    func announce(_ change: ConversationChange) async throws
    /// Tells the other instances of a sync's progress or end, for their owners' live streams.
    func announce(_ job: SyncJob) async throws
    /// Brings the schema up to date; instances started together never race.
    func migrate() async throws
    /// Runs a trivial query: the database is reachable and answering.
    func ping() async throws

    // MARK: Workspaces and credentials
    /// Creates a workspace with its first owner key; the key's plaintext exists only in the result.
    func createWorkspace(name: String) async throws -> (Workspace, Credential)
    /// On a first start, creates the workspace "Default" and returns its key; `nil` once any workspace exists.
    func createDefaultWorkspaceIfEmpty() async throws -> (Workspace, Credential)?
    /// Resolves a presented owner key or agent token to its workspace and role.
    func caller(for credential: Credential) async throws -> Caller?
    func workspace(id: String) async throws -> WorkspaceUsage
    /// The storage tokens consumed from `start` until `end`, summed per bot, data source and day since `start`.
    func storageUsage(workspaceID: String, from start: Timestamp, until end: Timestamp) async throws -> [UsageEntry]
    func updateWorkspace(
        id: String,
        name: String?,
        monthlyStorageTokenLimit: Int?,
        tokenEncoding: Encoding.Name?
    ) async throws -> WorkspaceUsage

    // MARK: Owner keys
    func ownerKeys(workspaceID: String) async throws -> [APIKey]
    /// A new key named `name`; 409 when the workspace already holds `APIKey.perWorkspace`.
    func createOwnerKey(workspaceID: String, name: String) async throws -> (APIKey, Credential)
    /// Gives key `id` a new secret: the old one stops working as this commits.
    func rotateOwnerKey(id: String, workspaceID: String) async throws -> (APIKey, Credential)
    /// Deletes key `id`; 409 for the workspace's last key, which would lock its owner out.
    func deleteOwnerKey(id: String, workspaceID: String) async throws

    // MARK: Bots
    func createBot(
        workspaceID: String,
        name: String,
        humanTakeoverEnabled: Bool,
        handoff: HandoffSettings
    ) async throws -> Bot
    func bots(workspaceID: String, page: PageRequest) async throws -> Page<Bot>
    /// A bot of `workspaceID`, or of any workspace when nil (the public routes), or 404.
    func bot(id: String, workspaceID: String?) async throws -> Bot
    func updateBot(id: String, workspaceID: String, _ changes: BotChanges) async throws -> Bot
    func deleteBot(id: String, workspaceID: String) async throws

    // MARK: Agents
    /// Creates an agent; the token's plaintext exists only in the result.
    func createAgent(workspaceID: String, name: String, email: String) async throws -> (Agent, Credential)
    func agents(workspaceID: String, page: PageRequest) async throws -> Page<Agent>
    func agent(id: String, workspaceID: String) async throws -> Agent
    /// Deletes the agent, and with it the only copy of its token's hash: the token stops working at once.
    func deleteAgent(id: String, workspaceID: String) async throws
    func updateAgent(id: String, workspaceID: String, _ changes: AgentChanges) async throws -> Agent
    /// Each agent's active conversations and whether their inbox is connected now, by agent id.
    func agentLoads(workspaceID: String) async throws -> [String: AgentLoad]
    /// This instance's connected agents: their presence is renewed until `until`, and this instance's presence of
    /// any other agent ends.
    func setAgentConnections(instanceID: String, agentIDs: Set<String>, until: Timestamp) async throws

    // MARK: Automatic assignment
    /// Assigns the workspace's oldest waiting escalation of a bot with automatic assignment to the available,
    /// connected agent with the fewest active conversations under their capacity (ties: the one whose last
    /// assignment is oldest), exactly as a claim would; nil when nothing waits or nobody has room. One assignment
    /// per call; on PostgreSQL a workspace's assignments take turns, so no agent goes over capacity. `now` is the
    /// claim's time (the timer clock's); presence is judged by the system clock, like the leases that keep it.
    func assignNext(workspaceID: String, now: Timestamp) async throws -> (conversation: Conversation, agent: Agent)?
    /// Workspaces with an escalation waiting for automatic assignment.
    func workspacesAwaitingAssignment() async throws -> [String]

    // MARK: Conversations and messages
    // The changes that start or move a handoff timer read the time from the caller's timer clock, inside their
    // transaction (so times follow the order of commits).
    /// Starts a conversation with `bot` (read by the caller, for its owner or the public) in state `Bot`, with
    /// its initial message and `conversation.started` deliveries; `404` if the bot was deleted meanwhile.
    /// The bot's reply to the initial message, if any, is stored with it.
    func startConversation(
        bot: Bot,
        _ new: NewConversation,
        reply: BotReply?
    ) async throws
        -> (conversation: Conversation, token: Credential, messages: [Message])
    /// "Talk to a human": only on the web channel of a bot with human takeover enabled. Starts the bot's escalation
    /// timeout and first-response SLA.
    func escalate(
        conversationID: String,
        userEmail: String,
        userData: Data?,
        clock: any TimerClock
    ) async throws
        -> Conversation
    /// An agent takes an escalated conversation. The update is conditional on the state it read, so of any
    /// number of concurrent claims exactly one changes the row (whatever the store's isolation); the others see
    /// who has it. The escalation timeout stops; the idle timer starts.
    func claim(
        conversationID: String,
        agentID: String,
        workspaceID: String,
        clock: any TimerClock
    ) async throws
        -> Conversation
    /// Hands an active conversation back to the bot: by the claiming agent, or an owner.
    func release(conversationID: String, by actor: ConversationActor, workspaceID: String) async throws -> Conversation
    /// Hands an active conversation to another agent of the workspace: by the claiming agent, or an owner. Answers
    /// the conversation and who had it.
    func transfer(
        conversationID: String,
        toAgentID: String,
        by actor: ConversationActor,
        workspaceID: String,
        clock: any TimerClock
    ) async throws -> (conversation: Conversation, from: Agent.Contact)
    /// The visitor's rating, once, after a release.
    func rate(conversationID: String, score: Int, comment: String?) async throws -> Conversation
    /// The bot's rated conversations (oldest first), with how many there are and their average score.
    func ratings(botID: String, workspaceID: String, page: PageRequest) async throws -> RatingSummary
    /// A visitor's message, allowed in every state, with the bot's reply in the same transaction when the bot
    /// still has the conversation (a human may have taken it since the reply was written: then none).
    func postVisitorMessage(
        conversationID: String,
        text: String,
        reply: BotReply?,
        clock: any TimerClock
    ) async throws
        -> (message: Message, reply: Message?)
    /// An agent's reply: only by the claiming agent, only while `Active`. The first one since the escalation meets
    /// the first-response SLA; it answers how long after the escalation it came (nil for later replies).
    func postAgentMessage(
        conversationID: String,
        agentID: String,
        workspaceID: String,
        text: String,
        clock: any TimerClock
    ) async throws
        -> (message: Message, firstReplyAfterMilliseconds: Int64?)
    /// A transcript page, oldest first; the cursor is the last message's sequence number.
    func messages(
        conversationID: String,
        workspaceID: String?,
        after: Int64?,
        limit: Int
    ) async throws
        -> (messages: [Message], next: Int64?)
    /// The messages of a conversation with these ids, in transcript order (those that exist).
    func messages(ids: [String], conversationID: String) async throws -> [Message]
    /// A conversation of `workspaceID` (any workspace when `nil`, for its visitor), or 404.
    func conversation(id: String, workspaceID: String?) async throws -> Conversation
    /// The conversation a visitor token belongs to.
    func conversation(visitorTokenHash: String) async throws -> Conversation?
    /// The workspace's conversations, oldest first, optionally of one state and one bot.
    func conversations(
        workspaceID: String,
        state: ConversationState?,
        botID: String?,
        page: PageRequest
    )
        async throws -> Page<Conversation>
    /// How many conversations are in each state, across workspaces.
    func conversationCountsByState() async throws -> [(ConversationState, Int)]

    // MARK: Handoff timers
    /// Conversations with a handoff timer due at `now`, at most `limit`.
    func dueHandoffTimers(now: Timestamp, limit: Int) async throws -> [String]
    /// Fires the conversation's earliest due timer, if one is still due (another instance may have fired it): the
    /// transition or breach, its hook deliveries and, for an expiry, the bot's message to the visitor, in one
    /// transaction.
    func fireHandoffTimer(
        conversationID: String,
        now: Timestamp
    ) async throws
        -> (fired: FiredHandoffTimer, conversation: Conversation, message: Message?)?
    /// The earliest deadline of any conversation's timer.
    func nextHandoffDeadline() async throws -> Timestamp?

    // MARK: Idempotency keys
    /// Claims `key` of `scope` for a request with `fingerprint`: the first use inserts a record marked running; a
    /// record older than `Idempotency.window` counts as none and is replaced. Concurrent first uses race on the
    /// record's primary key, so exactly one runs.
    func beginIdempotentRequest(
        scope: String,
        key: String,
        fingerprint: String,
        now: Timestamp
    ) async throws
        -> IdempotencyClaim
    /// Keeps the answer of the request that claimed the key.
    func finishIdempotentRequest(scope: String, key: String, response: StoredResponse) async throws
    /// Forgets a claim whose request failed without an answer worth keeping (a 5xx), so a retry runs again.
    func abandonIdempotentRequest(scope: String, key: String) async throws
    /// Retention: deletes up to `limit` records created before `cutoff`; answers how many went.
    func deleteIdempotencyRecords(before cutoff: Timestamp, limit: Int) async throws -> Int

    // MARK: Hooks
    func createHook(_ new: NewHook, botID: String, workspaceID: String) async throws -> Hook
    func hooks(botID: String, workspaceID: String, page: PageRequest) async throws -> Page<Hook>
    func hook(id: String, botID: String, workspaceID: String) async throws -> Hook
    /// Applies `changes`. Enabling a hook clears why it was disabled and its failure count, and resumes
    /// its paused deliveries.
    func updateHook(id: String, botID: String, workspaceID: String, _ changes: HookChanges) async throws -> Hook
    func deleteHook(id: String, botID: String, workspaceID: String) async throws
    /// A `sync.trigger` hook by id, for its public URL; nil when there is none.
    func triggerHook(id: String) async throws -> Hook?

    // MARK: The delivery outbox
    /// After a crash, deliveries caught mid-flight go back to the queue with their ids, so the retry
    /// carries the same `webhook-id`.
    func requeueInterruptedDeliveries() async throws -> Int
    /// Marks due deliveries `delivering` and returns them, oldest due first, as many as the slots free have room
    /// for: no hook and no workspace beyond its share, so one slow target or tenant cannot take every slot.
    /// `slots` is read once the claim's transaction has begun: attempts that ended meanwhile have freed theirs.
    func claimDueDeliveries(
        slots currentSlots: @escaping @Sendable () -> DeliverySlots
    ) async throws
        -> [ClaimedDelivery]
    /// How many deliveries wait in the queue, due or not.
    func pendingDeliveryCount() async throws -> Int
    /// When the next pending delivery falls due, leaving out hooks and workspaces whose slots are all taken.
    func nextDueTime(slots: DeliverySlots) async throws -> Timestamp?
    /// Records attempts and their consequences, all in one transaction: each delivery succeeds, is scheduled
    /// again, fails for good, or is paused with its hook, which is disabled on 410 or after `disableAfter`
    /// failures. An attempt whose delivery was deleted meanwhile (with its hook) answers `nil`.
    func recordAttempts(
        _ attempts: [(result: AttemptResult, claimed: ClaimedDelivery)],
        policy: DeliveryPolicy
    ) async throws -> [RecordedAttempt?]
    func deliveries(
        hookID: String,
        botID: String,
        workspaceID: String,
        filter: DeliveryFilter,
        page: PageRequest
    ) async throws -> Page<Delivery>
    func delivery(
        id: String,
        hookID: String,
        botID: String,
        workspaceID: String
    ) async throws
        -> (Delivery, [DeliveryAttempt])
    /// Queues a failed or paused delivery again at once, keeping its id. 409 while its hook is disabled
    /// (enabling the hook resumes paused deliveries by itself) or when it is not failed or paused.
    func retryDelivery(
        id: String,
        hookID: String,
        botID: String,
        workspaceID: String
    ) async throws
        -> (Delivery, [DeliveryAttempt])

    /// Queues every `failed` delivery of the hook created in `since..<until` again, at once, with its id (its
    /// attempts go on counting); answers how many. 409 while the hook is disabled.
    func recoverDeliveries(
        hookID: String,
        botID: String,
        workspaceID: String,
        since: Timestamp,
        until: Timestamp
    ) async throws -> Int
    /// Retention: deletes up to `limit` finished deliveries (with their attempts) created and last changed before
    /// `cutoff`, and up to `limit` finished sync jobs that ended before it, in one short transaction; answers how
    /// many rows went.
    /// Pending, delivering and paused deliveries, and queued or running jobs, are never deleted.
    func deleteFinished(before cutoff: Timestamp, limit: Int) async throws -> Int

    // MARK: Data sources and rows
    func createDataSource(_ settings: DataSourceSettings, botID: String, workspaceID: String) async throws -> DataSource
    func dataSources(botID: String, workspaceID: String, page: PageRequest) async throws -> Page<DataSource>
    func dataSource(id: String, botID: String, workspaceID: String) async throws -> DataSource
    /// Applies the new settings; the type never changes (its rows would not fit another type).
    func updateDataSource(
        id: String,
        botID: String,
        workspaceID: String,
        _ change: @escaping @Sendable (inout DataSource) throws -> Void
    ) async throws -> DataSource
    func deleteDataSource(id: String, botID: String, workspaceID: String) async throws
    /// Replaces the whole row set (`replace`) or inserts and updates the given rows, in one transaction.
    func writeRows(
        _ rows: [RowInput],
        replace: Bool,
        dataSourceID: String,
        botID: String,
        workspaceID: String
    ) async throws -> Int
    func deleteRow(key: String, dataSourceID: String, botID: String, workspaceID: String) async throws
    /// Rows in key order, after `afterKey`.
    func rows(
        dataSourceID: String,
        botID: String,
        workspaceID: String,
        afterKey: String?,
        limit: Int
    ) async throws
        -> (rows: [DataSourceRow], nextKey: String?)

    // MARK: Syncs and documents
    /// Queues a sync of the data source; a sync already queued for it is joined instead (`created` false).
    func queueSync(dataSourceID: String, trigger: SyncTrigger) async throws -> (job: SyncJob, created: Bool)
    /// Queues a sync of every data source whose schedule is due at `now` and moves each schedule to its next time,
    /// in the same transaction, so each interval queues once across instances; answers how many were due.
    func queueScheduledSyncs(now: Timestamp) async throws -> Int
    /// The earliest time a schedule is due; nil when no data source has one.
    func nextScheduledSync() async throws -> Timestamp?
    /// At start: syncs caught running by a stop go back to the queue (nothing of theirs was written).
    func requeueInterruptedSyncs() async throws -> Int
    /// Starts the oldest queued sync whose data source has none running and whose workspace has fewer than
    /// `perWorkspace` running, and reads what it needs.
    func startNextSync() async throws -> SyncInput?
    /// Keeps a running sync its instance's while it works (a sync that embeds many documents outlasts a lease);
    /// SQLite has one instance and no lease.
    func renewSyncLease(jobID: String) async throws
    /// Records a running sync's progress on its job.
    func recordSyncProgress(jobID: String, _ progress: SyncProgress) async throws
    /// Writes a planned sync, all or nothing: documents, row hashes, the month's ledger, the job's results and
    /// the `sync.success` deliveries — or, over the plan's limit, nothing but the failure.
    func completeSync(_ input: SyncInput, plan: SyncPlan) async throws -> SyncJob
    /// Ends a sync that could not run, writing nothing else, and fires `sync.failure`.
    func failSync(_ input: SyncInput, reason: String) async throws -> SyncJob
    func syncJobs(
        dataSourceID: String,
        botID: String,
        workspaceID: String,
        page: PageRequest
    ) async throws -> Page<SyncJob>
    func syncJob(id: String, workspaceID: String) async throws -> SyncJob
    /// Documents in row-key order, each row's in position order; the cursor is the last (row key, position).
    func documents(
        dataSourceID: String,
        botID: String,
        workspaceID: String,
        after: (rowKey: String, position: Int)?,
        limit: Int
    ) async throws -> (documents: [Document], next: (rowKey: String, position: Int)?)
    /// What a sync of the data source would read now, for a dry run.
    func syncPreview(
        dataSourceID: String,
        botID: String,
        workspaceID: String
    ) async throws
        -> (rows: [DataSourceRow], previousHashes: [String: String], source: DataSource, usage: WorkspaceUsage)

    // MARK: Search
    /// A bot (of `workspaceID`, or any when nil), its documents that best match `terms`, best first, ranked by
    /// bm25 over the full-text index that syncs keep in step with the documents, and the generation of those
    /// documents — in one read: what a reply needs.
    func botWithPassages(
        botID: String,
        workspaceID: String?,
        terms: SearchTerms,
        limit: Int
    ) async throws -> (bot: Bot, found: LexicalResults)
    /// The bot's documents of `documentIDs` as passages, in that order; ids no longer there are left out.
    func passages(documentIDs: [String], botID: String) async throws -> [Passage]
    /// The vectors `model` made of the bot's documents, and the generation of the documents they were read at.
    func documentVectors(botID: String, model: String, dimension: Int) async throws -> DocumentVectors
    /// The data source's documents without a vector by `model` (synced before it was there, or by another one):
    /// a sync embeds them besides its changed rows.
    func documentsWithoutVectors(dataSourceID: String, model: String) async throws -> [UnembeddedDocument]
}
