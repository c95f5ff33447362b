import Foundation
import GRDB

extension HookType: DatabaseValueConvertible {}
extension DeliveryOrdering: DatabaseValueConvertible {}

/// A bot's hook. The secret is kept as given: it is sent in `X-Secret-Key` and keys the signature.
struct Hook: AppRecord, Listed {
    var id: String
    var workspaceId: String
    var botId: String
    var type: HookType
    var targetUrl: String?
    var dataSourceId: String?
    var secret: String
    /// The secret a rotation with an overlap replaced: it still signs, and still opens a trigger URL, until
    /// `previousSecretExpiresAt`.
    var previousSecret: String?
    var previousSecretExpiresAt: Timestamp?
    var ordering: DeliveryOrdering
    /// Attempts per second across all instances; nil: as fast as the slots allow.
    var maxPerSecond: Int?
    /// Sent on every attempt, besides Switchboard's own headers.
    var headers: [String: String]?
    var enabled: Bool
    var disabledReason: String?
    var lastError: String?
    var consecutiveFailures: Int
    var createdAt: Timestamp
    var updatedAt: Timestamp

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let workspaceId = Column(CodingKeys.workspaceId)
        static let botId = Column(CodingKeys.botId)
        static let type = Column(CodingKeys.type)
        static let enabled = Column(CodingKeys.enabled)
        static let dataSourceId = Column(CodingKeys.dataSourceId)
    }
}

extension Hook {
    static func new(_ new: NewHook, botID: String, workspaceID: String) -> Hook {
        let now = Timestamp.now()
        return Hook(
            id: newID(),
            workspaceId: workspaceID,
            botId: botID,
            type: new.type,
            targetUrl: new.targetUrl,
            dataSourceId: new.dataSourceId,
            secret: new.secret,
            previousSecret: nil,
            previousSecretExpiresAt: nil,
            ordering: new.ordering,
            maxPerSecond: new.maxPerSecond,
            headers: new.headers,
            enabled: new.enabled,
            disabledReason: nil,
            lastError: nil,
            consecutiveFailures: 0,
            createdAt: now,
            updatedAt: now
        )
    }

    /// Applies `changes`; answers whether the hook was enabled again, which resumes its paused deliveries and
    /// clears why it was disabled and its failure count.
    @discardableResult
    mutating func apply(_ changes: HookChanges) -> Bool {
        if let targetUrl = changes.targetUrl { self.targetUrl = targetUrl }
        if let dataSourceId = changes.dataSourceId { self.dataSourceId = dataSourceId }
        if let rotation = changes.rotation { rotate(to: rotation.secret, overlapUntil: rotation.overlapUntil) }
        if let ordering = changes.ordering { self.ordering = ordering }
        if let maxPerSecond = changes.maxPerSecond { self.maxPerSecond = maxPerSecond }
        if let headers = changes.headers { self.headers = headers }
        var reenabled = false
        if let enabled = changes.enabled, enabled != self.enabled {
            self.enabled = enabled
            if enabled {
                disabledReason = nil
                consecutiveFailures = 0
                reenabled = true
            } else {
                disabledReason = "Disabled by the owner."
            }
        }
        updatedAt = .now()
        return reenabled
    }
}

extension Hook {
    /// The secrets that sign an attempt now, newest first: during a rotation's overlap, the old one too.
    func signingSecrets(at now: Timestamp) -> [String] {
        guard let previousSecret, let expires = previousSecretExpiresAt, now < expires else { return [secret] }
        return [secret, previousSecret]
    }

    /// Whether `given` opens this trigger hook's URL now: its secret, or during an overlap the one it replaced.
    /// Compared in constant time.
    func acceptsTriggerSecret(_ given: String, at now: Timestamp) -> Bool {
        signingSecrets(at: now).reduce(false) { accepted, secret in
            constantTimeEquals(secret, given) || accepted
        }
    }

    /// When the replaced secret stops working; nil when there is none in use.
    func previousSecretExpiry(at now: Timestamp) -> Timestamp? {
        signingSecrets(at: now).count > 1 ? previousSecretExpiresAt : nil
    }

    /// A new secret. With an overlap the old one stays valid until `overlapUntil` (only the one just replaced:
    /// a rotation during an overlap ends the older one's); without, it stops at once.
    private mutating func rotate(to newSecret: String, overlapUntil: Timestamp?) {
        previousSecret = overlapUntil == nil ? nil : secret
        previousSecretExpiresAt = overlapUntil
        secret = newSecret
    }
}
