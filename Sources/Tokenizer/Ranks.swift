/// The rank of every token, keyed by its bytes. Tokens of up to 16 bytes (nearly all) are packed into two
/// integers, so a lookup hashes 17 bytes and compares two words; longer ones use a byte-array table.
struct Ranks: Sendable {
    private var short: [PackedBytes: UInt32] = [:]
    private var long: [[UInt8]: UInt32] = [:]
    /// Each rank's bytes, for decoding.
    private(set) var tokens: [[UInt8]] = []

    init(capacity: Int) {
        short.reserveCapacity(capacity)
        tokens.reserveCapacity(capacity)
    }

    mutating func insert(_ bytes: [UInt8], rank: UInt32) {
        if bytes.count <= 16 {
            bytes.withUnsafeBufferPointer { short[PackedBytes($0[...])] = rank }
        } else {
            long[bytes] = rank
        }
        if Int(rank) >= tokens.count { tokens.append(contentsOf: repeatElement([], count: Int(rank) - tokens.count + 1)) }
        tokens[Int(rank)] = bytes
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
