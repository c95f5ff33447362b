import Metrics

/// Conversation metrics: transitions by type and the wait from escalation to claim.
/// (Conversations by state are a gauge refreshed at each scrape: see `HealthController`.)
struct ConversationMetrics: Sendable {
    enum Kind: String { case start, escalate, claim, release }

    let factory: any MetricsFactory

    func transitioned(_ kind: Kind) {
        Counter(label: "conversation_transitions_total", dimensions: [("transition", kind.rawValue)], factory: factory)
            .increment()
    }

    func claimed(afterWaiting milliseconds: Int64) {
        Timer(label: "conversation_escalation_to_claim_seconds", factory: factory)
            .recordNanoseconds(max(0, milliseconds) * 1_000_000)
    }
}
