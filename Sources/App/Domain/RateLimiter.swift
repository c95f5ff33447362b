import Synchronization

/// Token buckets by key: each key may spend `capacity` requests at once and regains them evenly over
/// `period`. In memory, per process, which is what one SQLite-backed server needs. At most `maxKeys` buckets
/// are kept: past that the least recently used tenth is forgotten (they have refilled the most), never every
/// bucket at once, so a flood of new keys cannot reset the limits of the keys in use.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    let capacity: Int
    let period: Duration
    let maxKeys: Int
    private let buckets = Mutex<[String: Bucket]>([:])

    init(capacity: Int, per period: Duration = .seconds(60), maxKeys: Int = 100_000) {
        self.capacity = capacity
        self.period = period
        self.maxKeys = maxKeys
    }

    /// Spends one token of `key`; `nil` when allowed, else the seconds until one is back.
    func spend(_ key: String, now: ContinuousClock.Instant = .now) -> Int? {
        let refillPerSecond = Double(capacity) / period.seconds
        return buckets.withLock { buckets in
            if buckets[key] == nil, buckets.count >= maxKeys { Self.evictLeastRecentlyUsed(&buckets) }
            var bucket = buckets[key] ?? Bucket(tokens: Double(capacity), updated: now)
            bucket.tokens = min(Double(capacity), bucket.tokens + (now - bucket.updated).seconds * refillPerSecond)
            bucket.updated = now
            defer { buckets[key] = bucket }
            guard bucket.tokens >= 1 else {
                return max(1, Int(((1 - bucket.tokens) / refillPerSecond).rounded(.up)))
            }
            bucket.tokens -= 1
            return nil
        }
    }

    private static func evictLeastRecentlyUsed(_ buckets: inout [String: Bucket]) {
        let oldest = buckets.sorted { $0.value.updated < $1.value.updated }.prefix(max(1, buckets.count / 10))
        for (key, _) in oldest { buckets[key] = nil }
    }

    /// The key a client is limited by: its IPv4 address, or its IPv6 address's /64, the block one subscriber
    /// usually holds whole (an IPv4 address mapped into IPv6 counts as that IPv4 address).
    static func clientKey(forAddress address: String) -> String {
        guard AddressGuard.ipv4Bytes(address) == nil, let bytes = AddressGuard.ipv6Bytes(address) else {
            return address
        }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff {
            return bytes[12..<16].map(String.init).joined(separator: ".")
        }
        let groups = stride(from: 0, to: 8, by: 2).map {
            String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16)
        }
        return groups.joined(separator: ":") + "::/64"
    }
}

extension Duration {
    /// The duration in seconds, with its fraction.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
