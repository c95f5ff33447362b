import Foundation
import Hummingbird

// The API's view of each record: what clients see, never hashes or internal keys.

extension Page: ResponseEncodable {}
extension UsageReport: ResponseEncodable {}

struct WorkspaceResponse: ResponseEncodable, Sendable {
    let id: String
    let name: String
    let monthlyStorageTokenLimit: Int
    let storageTokensUsedThisMonth: Int
    let tokenEncoding: String
    let createdAt: Timestamp
    let updatedAt: Timestamp

    init(_ usage: WorkspaceUsage) {
        id = usage.workspace.id
        name = usage.workspace.name
        monthlyStorageTokenLimit = usage.workspace.monthlyStorageTokenLimit
        storageTokensUsedThisMonth = usage.storageTokensUsedThisMonth
        tokenEncoding = usage.workspace.tokenEncoding.rawValue
        createdAt = usage.workspace.createdAt
        updatedAt = usage.workspace.updatedAt
    }
}

struct BotResponse: ResponseEncodable, Sendable {
    let id: String
    let name: String
    let humanTakeoverEnabled: Bool
    let assignment: AssignmentMode
    let escalationTimeoutSeconds: Int?
    /// The note the visitor gets when nobody claimed in time, as it will be sent (`{email}` still in it).
    let escalationExpiredMessage: String
    let idleReleaseSeconds: Int?
    let firstResponseSlaSeconds: Int?
    let createdAt: Timestamp
    let updatedAt: Timestamp

    init(_ bot: Bot) {
        id = bot.id
        name = bot.name
        humanTakeoverEnabled = bot.humanTakeoverEnabled
        assignment = bot.assignment
        escalationTimeoutSeconds = bot.escalationTimeoutSeconds
        escalationExpiredMessage = bot.escalationExpiredMessage ?? HandoffSettings.defaultExpiredMessage
        idleReleaseSeconds = bot.idleReleaseSeconds
        firstResponseSlaSeconds = bot.firstResponseSlaSeconds
        createdAt = bot.createdAt
        updatedAt = bot.updatedAt
    }

    // A timer that is off shows as null.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(humanTakeoverEnabled, forKey: .humanTakeoverEnabled)
        try container.encode(assignment, forKey: .assignment)
        try container.encode(escalationTimeoutSeconds, forKey: .escalationTimeoutSeconds)
        try container.encode(escalationExpiredMessage, forKey: .escalationExpiredMessage)
        try container.encode(idleReleaseSeconds, forKey: .idleReleaseSeconds)
        try container.encode(firstResponseSlaSeconds, forKey: .firstResponseSlaSeconds)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }

    private enum CodingKeys: String, CodingKey {
        case id, name, humanTakeoverEnabled, assignment, escalationTimeoutSeconds, escalationExpiredMessage
        case idleReleaseSeconds
        case firstResponseSlaSeconds, createdAt, updatedAt
    }
}

struct AgentResponse: ResponseEncodable, Sendable {
    let id: String
    let name: String
    let email: String
    /// What the agent said of themself; they get assignments only while `available` and `connected`.
    let status: AgentStatus
    let capacity: Int
    /// An inbox stream of theirs is open.
    let connected: Bool
    let activeConversations: Int
    /// Present only in the answer to the create call: the token is never shown again.
    let token: String?
    let createdAt: Timestamp
    let updatedAt: Timestamp

    init(_ agent: Agent, load: AgentLoad?, token: Credential? = nil) {
        id = agent.id
        name = agent.name
        email = agent.email
        status = agent.status
        capacity = agent.capacity
        connected = load?.connected ?? false
        activeConversations = load?.activeConversations ?? 0
        self.token = token?.plaintext
        createdAt = agent.createdAt
        updatedAt = agent.updatedAt
    }
}

struct HookResponse: ResponseEncodable, Sendable {
    let id: String
    let botId: String
    let type: HookType
    let targetUrl: String?
    let dataSourceId: String?
    let secret: String
    /// The secret in Standard Webhooks form, for their verification libraries.
    let signingSecret: String
    /// `sync.trigger` only: GET it to start a sync.
    let triggerUrl: String?
    /// While a rotation's overlap lasts: when the replaced secret stops working.
    let previousSecretExpiresAt: Timestamp?
    let ordering: DeliveryOrdering
    let maxPerSecond: Int?
    let headers: [String: String]
    let enabled: Bool
    let disabledReason: String?
    let lastError: String?
    let consecutiveFailures: Int
    let createdAt: Timestamp
    let updatedAt: Timestamp

    init(_ hook: Hook, publicURL: String) {
        id = hook.id
        botId = hook.botId
        type = hook.type
        targetUrl = hook.targetUrl
        dataSourceId = hook.dataSourceId
        secret = hook.secret
        signingSecret = Signature.signingSecret(for: hook.secret)
        triggerUrl = hook.type == .syncTrigger ? "\(publicURL)/api/public/hooks/\(hook.id)/\(hook.secret)" : nil
        previousSecretExpiresAt = hook.previousSecretExpiry(at: .now())
        ordering = hook.ordering
        maxPerSecond = hook.maxPerSecond
        headers = hook.headers ?? [:]
        enabled = hook.enabled
        disabledReason = hook.disabledReason
        lastError = hook.lastError
        consecutiveFailures = hook.consecutiveFailures
        createdAt = hook.createdAt
        updatedAt = hook.updatedAt
    }

    // Every key is always present, null when empty, so clients see one shape.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(botId, forKey: .botId)
        try container.encode(type, forKey: .type)
        try container.encode(targetUrl, forKey: .targetUrl)
        try container.encode(dataSourceId, forKey: .dataSourceId)
        try container.encode(secret, forKey: .secret)
        try container.encode(signingSecret, forKey: .signingSecret)
        try container.encode(triggerUrl, forKey: .triggerUrl)
        try container.encode(previousSecretExpiresAt, forKey: .previousSecretExpiresAt)
        try container.encode(ordering, forKey: .ordering)
        try container.encode(maxPerSecond, forKey: .maxPerSecond)
        try container.encode(headers, forKey: .headers)
        try container.encode(enabled, forKey: .enabled)
        try container.encode(disabledReason, forKey: .disabledReason)
        try container.encode(lastError, forKey: .lastError)
        try container.encode(consecutiveFailures, forKey: .consecutiveFailures)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }

    private enum CodingKeys: String, CodingKey {
        case id, botId, type, targetUrl, dataSourceId, secret, signingSecret, triggerUrl, previousSecretExpiresAt
        case ordering, maxPerSecond, headers, enabled, disabledReason, lastError, consecutiveFailures, createdAt
        case updatedAt
    }
}

struct DeliveryResponse: ResponseEncodable, Sendable {
    struct Attempt: Encodable, Sendable {
        let number: Int
        let attemptedAt: Timestamp
        let responseCode: Int?
        let latencyMs: Double
        let error: String?
        let responseBody: String?
    }

    let id: String
    let hookId: String
    let event: String
    let status: DeliveryStatus
    let attemptCount: Int
    let nextAttemptAt: Timestamp?
    let lastResponseCode: Int?
    let lastError: String?
    /// A conversation event's conversation and `sequence` (absent for sync events).
    let conversationId: String?
    let sequence: Int?
    /// The body as sent; only on a single delivery.
    let payload: JSONValue?
    /// Every attempt, oldest first; only on a single delivery.
    let attempts: [Attempt]?
    let createdAt: Timestamp
    let updatedAt: Timestamp

    init(_ delivery: Delivery, attempts: [DeliveryAttempt]? = nil) {
        id = delivery.id
        hookId = delivery.hookId
        event = delivery.event
        status = delivery.status
        attemptCount = delivery.attemptCount
        nextAttemptAt = delivery.status == .pending ? delivery.nextAttemptAt : nil
        lastResponseCode = delivery.lastResponseCode
        lastError = delivery.lastError
        conversationId = delivery.conversationId
        sequence = delivery.sequence
        payload = attempts == nil ? nil : try? JSONDecoder().decode(JSONValue.self, from: delivery.payload)
        self.attempts = attempts?.map {
            Attempt(
                number: $0.number,
                attemptedAt: $0.attemptedAt,
                responseCode: $0.responseCode,
                latencyMs: $0.latencyMs,
                error: $0.error,
                responseBody: $0.responseBody
            )
        }
        createdAt = delivery.createdAt
        updatedAt = delivery.updatedAt
    }
}

struct ConversationResponse: ResponseEncodable, Sendable {
    let conversation: Conversation
    let audience: Audience
    /// Only in the answer that starts the conversation.
    var visitorToken: String?
    /// The first messages, only on the visitor's view of the conversation.
    var messages: [MessageResponse]?

    // Every field is always present, null when empty; the two extras only where they belong.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(conversation.id, forKey: .id)
        try container.encode(conversation.botId, forKey: .botId)
        try container.encode(conversation.state, forKey: .state)
        try container.encode(conversation.channelType, forKey: .channelType)
        try container.encode(conversation.initialMessage, forKey: .initialMessage)
        try container.encode(conversation.userEmail, forKey: .userEmail)
        try container.encode(conversation.userDataJSON, forKey: .userData)
        let claimedBy = conversation.claimedByAgentId.map {
            audience.agent(id: $0, name: conversation.claimedByName, email: conversation.claimedByEmail ?? "")
        }
        try container.encode(claimedBy, forKey: .claimedBy)
        try container.encode(conversation.escalatedAt, forKey: .escalatedAt)
        try container.encode(conversation.claimedAt, forKey: .claimedAt)
        try container.encode(conversation.resolvedAt, forKey: .resolvedAt)
        try container.encode(conversation.rating, forKey: .rating)
        if audience == .staff {
            // The running timers' deadlines: what the inbox counts down.
            try container.encode(conversation.expiresAt, forKey: .expiresAt)
            try container.encode(conversation.slaDueAt, forKey: .slaDueAt)
            try container.encode(conversation.idleReleaseAt, forKey: .idleReleaseAt)
            try container.encode(conversation.firstAgentReplyAt, forKey: .firstAgentReplyAt)
        }
        try container.encode(conversation.createdAt, forKey: .createdAt)
        try container.encode(conversation.updatedAt, forKey: .updatedAt)
        try container.encodeIfPresent(visitorToken, forKey: .visitorToken)
        try container.encodeIfPresent(messages, forKey: .messages)
    }

    private enum CodingKeys: String, CodingKey {
        case id, botId, state, channelType, initialMessage, userEmail, userData, claimedBy, escalatedAt, claimedAt
        case resolvedAt, createdAt, updatedAt, visitorToken, messages, rating, expiresAt, slaDueAt, idleReleaseAt
        case firstAgentReplyAt
    }
}

struct MessageResponse: ResponseEncodable, Sendable {
    let message: Message
    let audience: Audience
    /// The bot's answer, in the answer to a visitor's message that the bot replied to.
    var reply: Message? = nil

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(message.id, forKey: .id)
        try container.encode(message.role, forKey: .role)
        try container.encode(message.text, forKey: .text)
        if let agentID = message.agentId {
            try container.encode(audience.agent(id: agentID, name: message.agentName), forKey: .agent)
        }
        try container.encodeIfPresent(message.sources, forKey: .sources)
        try container.encode(message.createdAt, forKey: .createdAt)
        try container.encodeIfPresent(reply.map { MessageResponse(message: $0, audience: audience) }, forKey: .reply)
    }

    private enum CodingKeys: String, CodingKey { case id, role, text, agent, sources, createdAt, reply }
}

struct DataSourceResponse: ResponseEncodable, Sendable {
    let source: DataSource

    init(_ source: DataSource) { self.source = source }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(source.id, forKey: .id)
        try container.encode(source.botId, forKey: .botId)
        try container.encode(source.name, forKey: .name)
        try container.encode(source.type, forKey: .type)
        try container.encode(source.chunkTokens, forKey: .chunkTokens)
        try container.encode(source.keyColumn, forKey: .keyColumn)
        try container.encode(source.contentColumns, forKey: .contentColumns)
        try container.encode(source.sitemapUrl, forKey: .sitemapUrl)
        try container.encode(source.site?.maxPages, forKey: .maxPages)
        try container.encode(source.site?.include, forKey: .include)
        try container.encode(source.site?.exclude, forKey: .exclude)
        try container.encode(source.syncEveryMinutes, forKey: .syncEveryMinutes)
        try container.encode(source.nextSyncAt, forKey: .nextSyncAt)
        try container.encode(source.createdAt, forKey: .createdAt)
        try container.encode(source.updatedAt, forKey: .updatedAt)
    }

    private enum CodingKeys: String, CodingKey {
        case id, botId, name, type, chunkTokens, keyColumn, contentColumns, sitemapUrl, maxPages, include, exclude
        case syncEveryMinutes, nextSyncAt, createdAt, updatedAt
    }
}

struct RowResponse: ResponseEncodable, Sendable {
    let key: String
    let title: String?
    let content: String?
    let url: String?
    let updatedAt: Timestamp

    init(_ row: DataSourceRow) {
        key = row.key
        title = row.title
        content = row.content
        url = row.url
        updatedAt = row.updatedAt
    }
}

struct SyncJobResponse: ResponseEncodable, Sendable {
    let job: SyncJob

    init(_ job: SyncJob) { self.job = job }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(job.id, forKey: .id)
        try container.encode(job.dataSourceId, forKey: .dataSourceId)
        try container.encode(job.status, forKey: .status)
        try container.encode(job.trigger, forKey: .trigger)
        try container.encode(job.results, forKey: .results)
        try container.encode(job.reason, forKey: .reason)
        try container.encode(job.progress, forKey: .progress)
        try container.encode(job.createdAt, forKey: .createdAt)
        try container.encode(job.startedAt, forKey: .startedAt)
        try container.encode(job.finishedAt, forKey: .finishedAt)
    }

    private enum CodingKeys: String, CodingKey {
        case id, dataSourceId, status, trigger, results, reason, progress, createdAt, startedAt, finishedAt
    }
}

struct DocumentResponse: ResponseEncodable, Sendable {
    let id: String
    let rowKey: String
    let position: Int
    let text: String
    let tokens: Int

    init(_ document: Document) {
        id = document.id
        rowKey = document.rowKey
        position = document.position
        text = document.text
        tokens = document.tokens
    }
}

/// An owner key as its workspace's owner sees it: never its secret, except `apiKey` in the answer that
/// creates or rotates it; `current` marks the key the request came with.
struct OwnerKeyResponse: ResponseEncodable, Sendable {
    let id: String
    let name: String
    let createdAt: Timestamp
    let current: Bool
    let apiKey: String?

    init(_ key: APIKey, current: Bool, plaintext: String? = nil) {
        id = key.id
        name = key.name
        createdAt = key.createdAt
        self.current = current
        apiKey = plaintext
    }
}

/// A bot's ratings: over all of them how many and their average, and a page of the rated conversations.
struct RatingsResponse: ResponseEncodable, Sendable {
    let count: Int
    let average: Double?
    let data: [ConversationResponse]
    let nextCursor: String?

    init(_ summary: RatingSummary) {
        count = summary.count
        average = summary.average.map { ($0 * 100).rounded() / 100 }
        data = summary.page.data.map { ConversationResponse(conversation: $0, audience: .staff) }
        nextCursor = summary.page.nextCursor
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(count, forKey: .count)
        try container.encode(average, forKey: .average)
        try container.encode(data, forKey: .data)
        try container.encode(nextCursor, forKey: .nextCursor)
    }

    private enum CodingKeys: String, CodingKey { case count, average, data, nextCursor }
}

extension Conversation {
    /// The visitor's rating as the API shows it, or nil.
    var rating: JSONValue? {
        guard let ratingScore, let ratedAt else { return nil }
        return .object([
            "score": .number(Double(ratingScore)), "comment": ratingComment.map(JSONValue.string) ?? .null,
            "ratedAt": .string(ratedAt.iso8601),
        ])
    }
}
