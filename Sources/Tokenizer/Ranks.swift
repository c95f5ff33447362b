/// The rank of every token, keyed by its bytes, in an open-addressing table built for this one job: a key
/// of up to 16 bytes is two words read straight from the text, hashed by one multiplication and compared in
/// place, with no allocation. A longer key keeps its first 8 bytes and a hash of the rest in the slot and is
/// compared against the token's bytes.
struct Ranks: Sendable {
    /// A slot's key and value. `tag` is the token's length (high 8 bits) and rank (low 24), or `empty`.
    private struct Slot {
        var low: UInt64
        var high: UInt64
        var tag: UInt32
        static let empty = UInt32.max
    }

    private var slots: [Slot]
    /// The ranks of all two-byte tokens, indexed by the two bytes (`.max`: none): every merge starts from
    /// pairs of bytes, so these are the most frequent lookups, and a direct index is cheaper than a probe.
    private var pairs = [UInt32](repeating: .max, count: 1 << 16)
    private var mask: Int
    private(set) var count = 0
    /// The longest token, in bytes: a longer key is not looked up at all.
    private(set) var longest = 0
    /// Every token's bytes end to end, and where each rank's start and end: one allocation for decoding and
    /// for comparing long keys, instead of one per token.
    private var tokenBytes: [UInt8] = []
    private var tokenBounds: [(start: UInt32, end: UInt32)] = []

    /// The longest token a slot can describe; the published encodings' longest is 128 bytes.
    static let maximumLength = 255

    init(capacity: Int) {
        var size = 1
        while size < capacity * 2 { size <<= 1 }  // at most half full: short probe sequences
        slots = Array(repeating: Slot(low: 0, high: 0, tag: Slot.empty), count: size)
        mask = size - 1
        tokenBytes.reserveCapacity(capacity * 8)
        tokenBounds.reserveCapacity(capacity)
    }

    /// Adds a token; false when it is longer than `maximumLength` or its rank does not fit 24 bits.
    mutating func insert(_ bytes: [UInt8], rank: UInt32) -> Bool {
        guard bytes.count <= Self.maximumLength, rank < 1 << 24 else { return false }
        if (count + 1) * 2 > slots.count { grow() }
        if Int(rank) >= tokenBounds.count {
            tokenBounds.append(
                contentsOf: repeatElement((start: UInt32(0), end: UInt32(0)), count: Int(rank) - tokenBounds.count + 1)
            )
        }
        tokenBounds[Int(rank)] = (UInt32(tokenBytes.count), UInt32(tokenBytes.count + bytes.count))
        tokenBytes.append(contentsOf: bytes)
        if bytes.count == 2 { pairs[Int(bytes[0]) << 8 | Int(bytes[1])] = rank }
        bytes.withUnsafeBufferPointer { place(Self.key($0.baseAddress!, bytes.count), rank: rank, count: bytes.count) }
        count += 1
        longest = max(longest, bytes.count)
        return true
    }

    private mutating func place(_ key: (low: UInt64, high: UInt64), rank: UInt32, count: Int) {
        var index = Self.hash(key, count: count) & mask
        while slots[index].tag != Slot.empty { index = (index + 1) & mask }
        slots[index] = Slot(low: key.low, high: key.high, tag: UInt32(count) << 24 | rank)
    }

    private mutating func grow() {
        let old = slots.filter { $0.tag != Slot.empty }
        slots = Array(repeating: Slot(low: 0, high: 0, tag: Slot.empty), count: slots.count * 2)
        mask = slots.count - 1
        for slot in old {
            place((slot.low, slot.high), rank: slot.tag & 0xFF_FFFF, count: Int(slot.tag >> 24))
        }
    }

    /// One more than the highest rank.
    var tokenCount: Int { tokenBounds.count }

    /// The bytes of the token with `rank`; empty for an unknown rank.
    func bytes(of rank: Int) -> ArraySlice<UInt8> {
        guard tokenBounds.indices.contains(rank) else { return [] }
        let bounds = tokenBounds[rank]
        return tokenBytes[Int(bounds.start)..<Int(bounds.end)]
    }

    @inline(__always)
    func rank(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> UInt32? {
        let count = bytes.count
        guard count <= longest, count > 0 else { return nil }
        let start = bytes.base.baseAddress! + bytes.startIndex
        if count == 2 {
            let rank = pairs.withUnsafeBufferPointer { $0[Int(start[0]) << 8 | Int(start[1])] }
            return rank == .max ? nil : rank
        }
        let key = Self.key(start, count)
        let tag = UInt32(count) << 24
        return slots.withUnsafeBufferPointer { slots in
            var index = Self.hash(key, count: count) & mask
            while true {
                let slot = slots[index]
                if slot.tag == Slot.empty { return nil }
                if slot.tag & 0xFF00_0000 == tag, slot.low == key.low, slot.high == key.high {
                    let rank = slot.tag & 0xFF_FFFF
                    if count <= 16 || matches(rank: rank, start, count) { return rank }
                }
                index = (index + 1) & mask
            }
        }
    }

    /// Whether token `rank`'s bytes are the `count` bytes at `start`.
    private func matches(rank: UInt32, _ start: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        let bounds = tokenBounds[Int(rank)]
        return tokenBytes.withUnsafeBufferPointer { all in
            UnsafeBufferPointer(rebasing: all[Int(bounds.start)..<Int(bounds.end)])
                .elementsEqual(UnsafeBufferPointer(start: start, count: count))
        }
    }

    @inline(__always)
    private static func hash(_ key: (low: UInt64, high: UInt64), count: Int) -> Int {
        // Multiply-shift: the high bits of the product mix every bit of the key.
        let mixed = (key.low ^ (key.high &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(count)) &* 0xD6E8_FEB8_6659_FD93
        return Int(truncatingIfNeeded: mixed >> 32 ^ mixed)
    }

    /// Up to 16 bytes as two words (the bytes past the count are zero); a longer key's first 8 bytes and a hash
    /// of the rest. Reads only the `count` bytes at `start`, with overlapping unaligned loads (little-endian).
    @inline(__always)
    private static func key(_ start: UnsafePointer<UInt8>, _ count: Int) -> (low: UInt64, high: UInt64) {
        let raw = UnsafeRawPointer(start)
        switch count {
        case 0: return (0, 0)
        case 1...3:
            var low = UInt64(start[0])
            if count > 1 { low |= UInt64(start[1]) << 8 }
            if count > 2 { low |= UInt64(start[2]) << 16 }
            return (low, 0)
        case 4...7:
            let first = UInt64(raw.loadUnaligned(as: UInt32.self))
            let last = UInt64(raw.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
            return (first | (last >> UInt64((8 - count) * 8)) << 32, 0)
        case 8...16:
            let low = raw.loadUnaligned(as: UInt64.self)
            let last = raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            return (low, last >> UInt64((16 - count) * 8))
        default:
            var hash: UInt64 = 0
            var offset = 8
            while offset + 8 <= count {
                hash = (hash ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
                offset += 8
            }
            let last = raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            hash = (hash ^ last) &* 0x9E37_79B9_7F4A_7C15
            return (raw.loadUnaligned(as: UInt64.self), hash)
        }
    }
}
