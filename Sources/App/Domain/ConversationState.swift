/// The states of a conversation and the one table of transitions between them (DESIGN.md §4).
/// Every route that moves a conversation asks this type first.
enum ConversationState: String, Codable, CaseIterable, Sendable {
    case bot = "Bot"
    case escalated = "Escalated"
    case active = "Active"
    case resolved = "Resolved"

    enum Transition: String, Sendable {
        /// `expire` is the escalation timeout's; `release` is also the idle timer's; `transfer` keeps the state and
        /// changes the agent.
        case escalate, claim, release, expire, transfer

        var target: ConversationState {
            switch self {
            case .escalate: .escalated
            case .claim, .transfer: .active
            case .release: .resolved
            case .expire: .bot
            }
        }

        /// The states this transition may leave.
        var sources: Set<ConversationState> {
            switch self {
            case .escalate: [.bot, .resolved]
            case .claim: [.escalated]
            case .release, .transfer: [.active]
            case .expire: [.escalated]
            }
        }
    }

    /// Who may ask for a human at all: a conversation on the web channel, of a bot with human takeover on.
    /// `409 escalation_unavailable` otherwise, before the table is asked.
    static func checkEscalation(channelType: String, humanTakeoverEnabled: Bool) throws(AppError) {
        guard channelType == "web" else {
            throw AppError.escalationUnavailable("Only conversations on the web channel can be handed to a human.")
        }
        guard humanTakeoverEnabled else {
            throw AppError.escalationUnavailable("This bot does not have human takeover enabled.")
        }
    }

    /// Who may release or transfer a conversation: the agent who claimed it, or an owner (`403 not_claiming_agent`).
    static func checkRelease(by actor: ConversationActor, claimedBy agentID: String?) throws(AppError) {
        if case .agent(let id) = actor, id != agentID { throw AppError.notClaimingAgent }
    }

    /// Who may reply as a human: only the claiming agent, only while the conversation is `Active`
    /// (`409 conversation_not_active`, `403 not_claiming_agent`).
    func checkAgentReply(by agentID: String, claimedBy claimingAgentID: String?) throws(AppError) {
        guard self == .active else {
            throw AppError(
                .conflict,
                code: .conversationNotActive,
                message: "Agents reply only while the conversation is Active; it is \(rawValue).",
                details: ["state": .string(rawValue)]
            )
        }
        guard claimingAgentID == agentID else { throw AppError.notClaimingAgent }
    }

    /// The bot answers visitors in `Bot` and `Resolved`; while a human is asked for or has it, it is silent.
    var botAnswers: Bool { self == .bot || self == .resolved }

    /// The states a caller can move this one to, in table order (`expire` is the timer's; `transfer` stays).
    var allowedTargets: [ConversationState] {
        [Transition.escalate, .claim, .release].filter { $0.sources.contains(self) }.map(\.target)
    }

    /// The state after `transition`, or `409 invalid_transition` naming what is allowed from here.
    func applying(_ transition: Transition) throws(AppError) -> ConversationState {
        guard transition.sources.contains(self) else { throw refusal(of: transition) }
        return transition.target
    }

    /// The `409 invalid_transition` for a transition this state does not allow.
    func refusal(of transition: Transition) -> AppError {
        AppError(
            .conflict,
            code: .invalidTransition,
            message: "A conversation in state \(rawValue) cannot move to \(transition.target.rawValue).",
            details: [
                "from": .string(rawValue), "to": .string(transition.target.rawValue),
                "allowed": .array(allowedTargets.map { .string($0.rawValue) }),
            ]
        )
    }
}

/// Who acts on a conversation: an owner, or one of the workspace's agents.
enum ConversationActor: Sendable {
    case owner
    case agent(id: String)
}
