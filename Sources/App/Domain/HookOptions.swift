/// How a hook receives the events of one conversation (DESIGN.md §5, "Ordering").
enum DeliveryOrdering: String, Codable, CaseIterable, Sendable {
    /// Each delivery goes as soon as a slot allows: a retry may arrive after a later event.
    case none
    /// Strictly in `sequence`: a conversation's later event waits while an earlier one to the same hook is
    /// pending, being delivered or paused.
    case conversation
}

/// The limits of a hook's options (DESIGN.md §5).
enum HookOptions {
    static let maxPerSecond = 1...1000
    static let overlapSeconds = 0...604_800
    static let maxHeaders = 10
    static let maxHeaderValueBytes = 1024

    /// Switchboard's own headers, and those HTTP or the client set: a hook may not send its own.
    private static let reservedNames: Set<String> = [
        "content-type", "host", "content-length", "user-agent", "x-secret-key", "transfer-encoding", "connection",
    ]
    private static let reservedPrefixes = ["x-switchboard-", "webhook-"]

    /// Checks custom headers: at most 10, names HTTP tokens and not reserved, values without control characters
    /// and at most 1 KiB. An empty object is no headers.
    static func headers(_ headers: [String: String]) throws(AppError) -> [String: String]? {
        guard headers.count <= maxHeaders else {
            throw .invalidField("headers", "headers may hold at most \(maxHeaders) headers.")
        }
        var seen: Set<String> = []
        for (name, value) in headers {
            let lowered = name.lowercased()
            guard !name.isEmpty, name.utf8.count <= 256, name.utf8.allSatisfy(isTokenByte) else {
                throw .invalidField("headers", "Header name \"\(name)\" is not an HTTP token.")
            }
            guard !reservedNames.contains(lowered), !reservedPrefixes.contains(where: lowered.hasPrefix) else {
                throw .invalidField("headers", "Header \(name) is Switchboard's own and cannot be set.")
            }
            guard seen.insert(lowered).inserted else {
                throw .invalidField("headers", "Header \(name) is given twice.")
            }
            guard value.utf8.count <= maxHeaderValueBytes,
                value.unicodeScalars.allSatisfy({ $0 == "\t" || ($0.value >= 0x20 && $0.value != 0x7F) })
            else {
                throw .invalidField(
                    "headers",
                    "The value of \(name) must be at most \(maxHeaderValueBytes) bytes without control characters."
                )
            }
        }
        return headers.isEmpty ? nil : headers
    }

    /// RFC 9110 `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "a")...UInt8(ascii: "z"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}

/// A paced hook's schedule (`maxPerSecond`): attempts start at least `1/maxPerSecond` apart, on every instance
/// together, and a claim books starts at most `horizon` ahead (the worker waits for each booked start).
struct DeliveryPace: Sendable, Equatable {
    static let horizonMicroseconds: Int64 = 1_000_000

    let hookID: String
    let intervalMicroseconds: Int64
    /// When the next attempt may start, in microseconds since 1970.
    private(set) var nextStart: Int64

    init(hookID: String, maxPerSecond: Int, nextStart: Int64?) {
        self.hookID = hookID
        intervalMicroseconds = 1_000_000 / Int64(max(1, maxPerSecond))
        self.nextStart = nextStart ?? 0
    }

    /// Whether no start can be booked before `now` + the horizon: the claim passes over the hook's queue.
    func isBookedOut(now: Int64) -> Bool { nextStart >= now + Self.horizonMicroseconds }

    /// When a booked-out hook may take another attempt.
    var freesAt: Int64 { nextStart - Self.horizonMicroseconds }

    /// Books the next start (nil when booked out).
    mutating func book(now: Int64) -> Int64? {
        let start = max(nextStart, now)
        guard start < now + Self.horizonMicroseconds else { return nil }
        nextStart = start + intervalMicroseconds
        return start
    }
}
