/// The rank of every token, keyed by its bytes. Tokens of up to 16 bytes (nearly all) are packed into two
/// integers, so a lookup hashes 17 bytes and compares two words; longer ones use a byte-array table.
struct Ranks: Sendable {
    private var short: [PackedBytes: UInt32] = [:]
    private var long: [[UInt8]: UInt32] = [:]
    /// Every token's bytes end to end, and where each rank's start and end: one allocation for decoding
    /// instead of one per token.
    private var tokenBytes: [UInt8] = []
    private var tokenBounds: [(start: UInt32, end: UInt32)] = []

    init(capacity: Int) {
        short.reserveCapacity(capacity)
        tokenBytes.reserveCapacity(capacity * 8)
        tokenBounds.reserveCapacity(capacity)
    }

    mutating func insert(_ bytes: [UInt8], rank: UInt32) {
        if bytes.count <= 16 {
            bytes.withUnsafeBufferPointer { short[PackedBytes($0[...])] = rank }
        } else {
            long[bytes] = rank
        }
        if Int(rank) >= tokenBounds.count {
            tokenBounds.append(
                contentsOf: repeatElement((start: UInt32(0), end: UInt32(0)), count: Int(rank) - tokenBounds.count + 1)
            )
        }
        tokenBounds[Int(rank)] = (UInt32(tokenBytes.count), UInt32(tokenBytes.count + bytes.count))
        tokenBytes.append(contentsOf: bytes)
    }

    /// The bytes of the token with `rank`; empty for an unknown rank.
    func bytes(of rank: Int) -> ArraySlice<UInt8> {
        guard tokenBounds.indices.contains(rank) else { return [] }
        let bounds = tokenBounds[rank]
        return tokenBytes[Int(bounds.start)..<Int(bounds.end)]
    }

    var count: Int { short.count + long.count }

    @inline(__always)
    func rank(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> UInt32? {
        bytes.count <= 16 ? short[PackedBytes(bytes)] : long[Array(bytes)]
    }
}

/// Up to 16 bytes in two words, with their count.
struct PackedBytes: Hashable, Sendable {
    let low: UInt64
    let high: UInt64
    let count: UInt8

    @inline(__always)
    init(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) {
        var low: UInt64 = 0
        var high: UInt64 = 0
        var shift: UInt64 = 0
        var index = bytes.startIndex
        let split = bytes.startIndex + min(8, bytes.count)
        while index < split {
            low |= UInt64(bytes[index]) << shift
            shift += 8
            index += 1
        }
        shift = 0
        while index < bytes.endIndex {
            high |= UInt64(bytes[index]) << shift
            shift += 8
            index += 1
        }
        self.low = low
        self.high = high
        self.count = UInt8(bytes.count)
    }
}
