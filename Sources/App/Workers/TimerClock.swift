/// The time the handoff timers run on. The server uses the system's; tests inject one they move by hand, so a
/// timer fires without anyone sleeping through its wait.
protocol TimerClock: Sendable {
    func now() -> Timestamp
    /// Returns at `deadline` on this clock, when `signal` is notified, or on cancellation, whichever is first.
    func sleep(until deadline: Timestamp, orUntil signal: WakeUpSignal) async
}

struct SystemTimerClock: TimerClock {
    func now() -> Timestamp { .now() }

    func sleep(until deadline: Timestamp, orUntil signal: WakeUpSignal) async {
        let milliseconds = max(0, deadline.millisecondsSince1970 - now().millisecondsSince1970)
        await signal.wait(timeout: .milliseconds(milliseconds))
    }
}
