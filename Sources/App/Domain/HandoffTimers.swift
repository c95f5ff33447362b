/// A bot's handoff settings: how escalations reach agents, and its timers (DESIGN.md §4, "Timers"), each off (nil)
/// unless the owner sets it, and what each does when it runs out. Deadlines are written on the conversation when a transition or a message starts them, so
/// the store finds what is due by an index; a timer fires once because firing it clears its deadline in the same
/// transaction as the transition and the hooks.
struct HandoffSettings: Sendable, Equatable {
    /// Every timer runs 5 seconds to 7 days.
    static let seconds = 5...604_800
    static let expiredMessageLength = 1...1000
    /// The bot's words to a visitor nobody claimed in time; `{email}` becomes the address they gave.
    static let defaultExpiredMessage =
        "Sorry, nobody is free to take over right now. Someone will write to you at {email} as soon as they can."

    /// How escalations reach agents: claimed from the queue, or assigned.
    var assignment: AssignmentMode = .claim
    /// `Escalated` that long without a claim: back to `Bot` (`expire`).
    var escalationTimeoutSeconds: Int?
    /// What the bot then tells the visitor (nil: `defaultExpiredMessage`).
    var escalationExpiredMessage: String?
    /// `Active` that long without a message from anyone: released with reason `idle`.
    var idleReleaseSeconds: Int?
    /// From escalation to the first agent reply: past it, `conversation.sla_breached` fires once.
    var firstResponseSlaSeconds: Int?

    /// The note to the visitor whose escalation expired.
    func expiredMessage(userEmail: String?) -> String {
        (escalationExpiredMessage ?? Self.defaultExpiredMessage)
            .replacingOccurrences(of: "{email}", with: userEmail ?? "your email")
    }
}

/// A deadline on a conversation that ran out.
enum HandoffTimer: String, Sendable, CaseIterable {
    case escalationTimeout = "escalation_timeout"
    case idleRelease = "idle_release"
    case firstResponseSla = "first_response_sla"

    /// The hook event it fires.
    var hookType: HookType {
        switch self {
        case .escalationTimeout: .conversationEscalationExpired
        case .idleRelease: .conversationReleased
        case .firstResponseSla: .conversationSlaBreached
        }
    }

    /// The transition it makes, if it moves the conversation (an SLA breach only reports).
    var transition: ConversationState.Transition? {
        switch self {
        case .escalationTimeout: .expire
        case .idleRelease: .release
        case .firstResponseSla: nil
        }
    }
}

/// Which first response an SLA missed: nobody claimed in time, or the agent who claimed had not replied.
enum SLABreach: String, Codable, Sendable {
    case claim, reply
}

/// Why a conversation was released: by hand (the claiming agent or an owner), or because nobody wrote.
enum ReleaseReason: String, Codable, Sendable {
    case agent, idle
}

extension Timestamp {
    /// This moment plus `seconds`, or nil when the timer is off.
    func adding(seconds: Int?) -> Timestamp? {
        seconds.map { adding(.seconds($0)) }
    }
}
