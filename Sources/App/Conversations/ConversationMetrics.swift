import Metrics

/// Conversation metrics: starts and transitions, the waits from escalation to claim and to the first agent reply,
/// the handoff timers that fired, and ratings.
/// (Conversations by state are a gauge refreshed at each scrape: see `HealthController`.)
struct ConversationMetrics: Sendable {
    let factory: any MetricsFactory

    func started() { count("start") }

    func transitioned(_ transition: ConversationState.Transition) { count(transition.rawValue) }

    func claimed(afterWaiting milliseconds: Int64) {
        Timer(label: "conversation_escalation_to_claim_seconds", factory: factory)
            .recordNanoseconds(max(0, milliseconds) * 1_000_000)
    }

    func firstAgentReply(afterWaiting milliseconds: Int64) {
        Timer(label: "conversation_escalation_to_first_agent_reply_seconds", factory: factory)
            .recordNanoseconds(max(0, milliseconds) * 1_000_000)
    }

    func fired(_ timer: HandoffTimer) {
        Counter(label: "conversation_timers_fired_total", dimensions: [("timer", timer.rawValue)], factory: factory)
            .increment()
    }

    func rated(score: Int) {
        Counter(label: "conversation_ratings_total", dimensions: [("score", String(score))], factory: factory)
            .increment()
    }

    private func count(_ transition: String) {
        Counter(label: "conversation_transitions_total", dimensions: [("transition", transition)], factory: factory)
            .increment()
    }
}
