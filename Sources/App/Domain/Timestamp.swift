import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A moment to the millisecond: stored as integer milliseconds since 1970 (exact to compare and sort
/// in SQL), shown as ISO 8601 UTC with three fractional digits (DESIGN.md §3).
struct Timestamp: Hashable, Comparable, Sendable {
    let millisecondsSince1970: Int64

    init(millisecondsSince1970: Int64) {
        self.millisecondsSince1970 = millisecondsSince1970
    }

    init(_ date: Date) {
        millisecondsSince1970 = Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    static func now() -> Timestamp { Timestamp(Date()) }

    var date: Date { Date(timeIntervalSince1970: Double(millisecondsSince1970) / 1000) }

    /// This moment `duration` later (to the millisecond).
    func adding(_ duration: Duration) -> Timestamp {
        Timestamp(millisecondsSince1970: millisecondsSince1970 + duration.nanoseconds / 1_000_000)
    }

    static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSince1970 < rhs.millisecondsSince1970
    }

    /// The first millisecond of the calendar month (UTC) that holds this moment.
    var startOfMonthUTC: Timestamp {
        var parts = brokenDown
        parts.tm_mday = 1
        parts.tm_hour = 0
        parts.tm_min = 0
        parts.tm_sec = 0
        return Timestamp(millisecondsSince1970: Int64(timegm(&parts)) * 1000)
    }

    /// `2026-11-24T05:45:46.123Z`
    var iso8601: String {
        let parts = brokenDown
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let millis = Int32(millisecondsSince1970 - seconds * 1000)
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))"
            + "T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(millis, 3))Z"
    }

    /// Whole seconds, rounded down (also before 1970).
    private var seconds: Int64 {
        let quotient = millisecondsSince1970 / 1000
        return millisecondsSince1970 % 1000 < 0 ? quotient - 1 : quotient
    }

    private var brokenDown: tm {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return parts
    }
}

extension Timestamp: Codable {
    init(from decoder: any Decoder) throws {
        guard let time = Timestamp(iso8601: try decoder.singleValueContainer().decode(String.self)) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "Not an ISO 8601 time.")
            )
        }
        self = time
    }

    /// `2026-11-24T05:45:46.123Z`, with or without the fraction.
    init?(iso8601 text: String) {
        guard
            let date = (try? Date(text, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true)))
                ?? (try? Date(text, strategy: .iso8601))
        else { return nil }
        self.init(date)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso8601)
    }
}

extension Timestamp: DatabaseValueConvertible {
    var databaseValue: DatabaseValue { millisecondsSince1970.databaseValue }

    static func fromDatabaseValue(_ dbValue: DatabaseValue) -> Timestamp? {
        Int64.fromDatabaseValue(dbValue).map(Timestamp.init(millisecondsSince1970:))
    }
}

extension Duration {
    /// The whole duration in nanoseconds, for the APIs that take them (NIO deadlines, metrics timers).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
