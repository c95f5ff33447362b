#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Times are kept to the millisecond everywhere: stored as integer milliseconds, shown as
/// ISO 8601 UTC with three fractional digits (DESIGN.md §3). Rounding (not flooring) keeps a
/// value stable however often it is read and written back.
extension Date {
    /// Now, cut to the millisecond so what is returned equals what is stored.
    static func nowMillis() -> Date {
        Date(millisecondsSince1970: Date().millisecondsSince1970)
    }

    init(millisecondsSince1970 millis: Int64) {
        self.init(timeIntervalSince1970: Double(millis) / 1000)
    }

    var millisecondsSince1970: Int64 {
        Int64((timeIntervalSince1970 * 1000).rounded())
    }

    /// `2026-11-24T05:45:46.123Z`
    var iso8601Millis: String {
        let millis = millisecondsSince1970
        var seconds = time_t(millis.floorDivided(by: 1000))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))"
            + "T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))"
            + ".\(pad(Int32(millis - millis.floorDivided(by: 1000) * 1000), 3))Z"
    }
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor < 0) ? quotient - 1 : quotient
    }
}

extension JSONEncoder {
    /// The API's encoder: ISO 8601 milliseconds, keys in a stable order.
    static func api() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.iso8601Millis)
        }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
