/// What a hook listens to, and what each kind takes (DESIGN.md §5). `sync.trigger` is inbound: a secret URL that
/// starts a sync.
enum HookType: String, Codable, CaseIterable, Sendable {
    case syncTrigger = "sync.trigger"
    case syncSuccess = "sync.success"
    case syncFailure = "sync.failure"
    case conversationStarted = "conversation.started"
    case conversationEscalated = "conversation.escalated"
    case conversationClaimed = "conversation.claimed"
    case conversationReleased = "conversation.released"
    /// Every user, bot and agent message (beyond the reference: for CRMs and analytics).
    case conversationMessage = "conversation.message"
    // The handoff beyond the reference (DESIGN.md §4).
    case conversationEscalationExpired = "conversation.escalation_expired"
    case conversationTransferred = "conversation.transferred"
    case conversationSlaBreached = "conversation.sla_breached"
    case conversationRated = "conversation.rated"

    /// Outbound hooks POST to a target; the trigger hook has none.
    var hasTarget: Bool { self != .syncTrigger }

    /// Sync hooks may name a data source: the one a trigger syncs, or the one whose results a sync hook hears of
    /// (none: every data source of the bot).
    var takesDataSource: Bool { [.syncTrigger, .syncSuccess, .syncFailure].contains(self) }

    /// A trigger must name the data source it syncs.
    var requiresDataSource: Bool { self == .syncTrigger }
}
