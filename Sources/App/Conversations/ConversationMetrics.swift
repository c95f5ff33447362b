import Metrics

/// Conversation metrics: starts and transitions, and the wait from escalation to claim.
/// (Conversations by state are a gauge refreshed at each scrape: see `HealthController`.)
struct ConversationMetrics: Sendable {
    let factory: any MetricsFactory

    func started() { count("start") }

    func transitioned(_ transition: ConversationState.Transition) { count(transition.rawValue) }

    func claimed(afterWaiting milliseconds: Int64) {
        Timer(label: "conversation_escalation_to_claim_seconds", factory: factory)
            .recordNanoseconds(max(0, milliseconds) * 1_000_000)
    }

    private func count(_ transition: String) {
        Counter(label: "conversation_transitions_total", dimensions: [("transition", transition)], factory: factory)
            .increment()
    }
}
