import Synchronization

/// A running sync's progress as the planner and the worker move it on; the worker's reporter reads it each second
/// and at each new phase (DESIGN.md §7, "Progress").
final class SyncProgressMeter: Sendable {
    private let state: Mutex<SyncProgress>
    /// Notified when a phase begins, so the reporter tells it at once.
    let phaseBegan = WakeUpSignal()

    init(rowsTotal: Int, phase: SyncPhase) {
        state = Mutex(SyncProgress(rowsTotal: rowsTotal, phase: phase))
    }

    var progress: SyncProgress { state.withLock { $0 } }

    /// A new phase, its rows counted from zero (tokens carry on); `rowsTotal` when it is known only now (the
    /// pages a sitemap lists).
    func begin(_ phase: SyncPhase, rowsTotal: Int? = nil) {
        state.withLock {
            $0.phase = phase
            $0.rowsDone = 0
            if let rowsTotal { $0.rowsTotal = rowsTotal }
        }
        phaseBegan.notify()
    }

    /// One more row read; `tokens`, those of the documents it becomes.
    func rowDone(tokens: Int = 0) {
        state.withLock {
            $0.rowsDone += 1
            $0.tokens += tokens
        }
    }
}
