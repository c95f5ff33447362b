import Synchronization

/// Token buckets by key: each key may spend `capacity` requests at once and regains them evenly over
/// `period`. In memory, per process, which is what one SQLite-backed server needs.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    let capacity: Int
    let period: Duration
    private let buckets = Mutex<[String: Bucket]>([:])

    init(capacity: Int, per period: Duration = .seconds(60)) {
        self.capacity = capacity
        self.period = period
    }

    /// Spends one token of `key`; `nil` when allowed, else the seconds until one is back.
    func spend(_ key: String, now: ContinuousClock.Instant = .now) -> Int? {
        let refillPerSecond =
            Double(capacity) / (Double(period.components.seconds) + Double(period.components.attoseconds) / 1e18)
        return buckets.withLock { buckets in
            if buckets.count > 100_000 { buckets.removeAll(keepingCapacity: true) }  // bound memory under a flood of keys
            var bucket = buckets[key] ?? Bucket(tokens: Double(capacity), updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(Double(capacity), bucket.tokens + seconds * refillPerSecond)
            bucket.updated = now
            defer { buckets[key] = bucket }
            guard bucket.tokens >= 1 else {
                return max(1, Int(((1 - bucket.tokens) / refillPerSecond).rounded(.up)))
            }
            bucket.tokens -= 1
            return nil
        }
    }
}
