/// Which deliveries may start: at most `total` attempts in flight, `perHook` for any one hook and
/// `perWorkspace` for any one workspace, so that neither a slow target nor a tenant with many slow hooks can
/// take every slot from the others (DESIGN.md §5).
struct DeliverySlots: Sendable {
    static let total = 64
    static let perHook = 4
    static let perWorkspace = 32

    /// How many attempts may be in flight in all: `total` for one worker.
    let capacity: Int
    private(set) var inFlight = 0
    private var byHook: [String: Int] = [:]
    private var byWorkspace: [String: Int] = [:]

    init(capacity: Int = Self.total) {
        self.capacity = capacity
    }

    var free: Int { capacity - inFlight }
    /// Hooks with no slot left: the claim skips their deliveries in the due index itself.
    var busyHooks: [String] { byHook.filter { $0.value >= Self.perHook }.map(\.key) }
    /// Workspaces with no slot left, likewise.
    var busyWorkspaces: [String] { byWorkspace.filter { $0.value >= Self.perWorkspace }.map(\.key) }

    func canTake(hookID: String, workspaceID: String) -> Bool {
        inFlight < capacity && byHook[hookID, default: 0] < Self.perHook
            && byWorkspace[workspaceID, default: 0] < Self.perWorkspace
    }

    mutating func take(hookID: String, workspaceID: String) {
        inFlight += 1
        byHook[hookID, default: 0] += 1
        byWorkspace[workspaceID, default: 0] += 1
    }

    mutating func release(hookID: String, workspaceID: String) {
        inFlight -= 1
        Self.decrement(&byHook, hookID)
        Self.decrement(&byWorkspace, workspaceID)
    }

    private static func decrement(_ counts: inout [String: Int], _ key: String) {
        let remaining = counts[key, default: 1] - 1
        counts[key] = remaining > 0 ? remaining : nil
    }
}

extension DeliverySlots {
    /// Slots of attempts already in flight, each as its hook and workspace, with room for `free` more: what a
    /// store shared by several instances counts, so the per-hook and per-workspace bounds hold across them all.
    init(inFlight attempts: [(hookID: String, workspaceID: String)], free: Int) {
        self.init(capacity: attempts.count + free)
        for attempt in attempts { take(hookID: attempt.hookID, workspaceID: attempt.workspaceID) }
    }
}

/// One claim's walk over due deliveries, oldest first: which to take, which to pause (their hook is disabled),
/// and when to stop — when the slots are full, after four rows a free slot, or `passLimit` rows after the last one
/// taken (the rows passed over belong to hooks or workspaces that filled up during this claim). A paced hook's
/// delivery is taken with a booked start, or passed over once its pace is booked out.
struct DeliveryClaim: Sendable {
    static let passLimit = 4 * DeliverySlots.perHook

    private(set) var slots: DeliverySlots
    private(set) var chosen: [String] = []
    private(set) var paused: [String] = []
    /// The paced hooks' schedules, as this claim leaves them.
    private(set) var paces: [String: DeliveryPace]
    /// When each chosen delivery of a paced hook may start, in microseconds since 1970.
    private(set) var startsAt: [String: Int64] = [:]
    /// The paced hooks this claim booked starts of: the schedules to write back.
    private(set) var bookedHooks: Set<String> = []
    /// The most rows the walk reads: four a free slot.
    let readLimit: Int
    private let now: Int64
    private var read = 0
    private var passed = 0

    init(slots: DeliverySlots, paces: [DeliveryPace] = [], now: Timestamp = .now()) {
        self.slots = slots
        self.paces = Dictionary(uniqueKeysWithValues: paces.map { ($0.hookID, $0) })
        self.now = now.millisecondsSince1970 * 1000
        readLimit = slots.free * 4
    }

    /// Hooks whose pace is booked out: the scan leaves their rows out, as it does busy hooks'.
    var bookedOutHooks: [String] { paces.values.filter { $0.isBookedOut(now: now) }.map(\.hookID) }

    /// Whether the walk goes on to another row.
    var wantsMore: Bool { slots.free > 0 && read < readLimit && passed < Self.passLimit }

    mutating func consider(deliveryID: String, hookID: String, workspaceID: String, hookEnabled: Bool) {
        read += 1
        if !hookEnabled {
            paused.append(deliveryID)
        } else if slots.canTake(hookID: hookID, workspaceID: workspaceID), let start = bookStart(hookID) {
            chosen.append(deliveryID)
            if let start { startsAt[deliveryID] = start }
            slots.take(hookID: hookID, workspaceID: workspaceID)
            passed = 0
        } else {
            passed += 1
        }
    }

    /// `.some(nil)` for an unpaced hook, `.some(start)` for a paced one with a start free, nil when it has none.
    private mutating func bookStart(_ hookID: String) -> Int64?? {
        guard var pace = paces[hookID] else { return .some(nil) }
        guard let start = pace.book(now: now) else { return nil }
        paces[hookID] = pace
        bookedHooks.insert(hookID)
        return .some(start)
    }
}
