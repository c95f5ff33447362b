import Synchronization

@testable import App

/// A timer clock a test moves by hand: the system's time plus everything `advance` added. Moving it wakes every
/// worker waiting on it, so a timer fires as soon as its deadline is passed, without the test sleeping through it.
/// Two instances given one clock share its time.
final class ManualTimerClock: TimerClock {
    private struct State {
        var offsetMilliseconds: Int64 = 0
        var waiting: [ObjectIdentifier: WakeUpSignal] = [:]
    }

    private let state = Mutex(State())

    func now() -> Timestamp {
        Timestamp.now().adding(.milliseconds(state.withLock { $0.offsetMilliseconds }))
    }

    func sleep(until deadline: Timestamp, orUntil signal: WakeUpSignal) async {
        state.withLock { $0.waiting[ObjectIdentifier(signal)] = signal }
        await SystemTimerClock().sleep(until: deadline.adding(.milliseconds(-offset)), orUntil: signal)
    }

    /// Moves the clock on by `duration` and wakes the workers waiting on it.
    func advance(by duration: Duration) {
        let signals = state.withLock { state in
            state.offsetMilliseconds += duration.nanoseconds / 1_000_000
            return Array(state.waiting.values)
        }
        for signal in signals { signal.notify() }
    }

    private var offset: Int64 { state.withLock { $0.offsetMilliseconds } }
}
