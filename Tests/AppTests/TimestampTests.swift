import Foundation
import Testing

@testable import App

@Suite struct TimestampTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (Int64(1_795_000_000_345), "2026-11-18T11:06:40.345Z"),
        (Int64(-1), "1969-12-31T23:59:59.999Z"),
    ])
    func formatsISO8601WithMilliseconds(millis: Int64, expected: String) throws {
        let timestamp = Timestamp(millisecondsSince1970: millis)
        #expect(timestamp.iso8601 == expected)
        #expect(try JSONDecoder().decode(Timestamp.self, from: JSONEncoder().encode(timestamp)) == timestamp)
    }

    @Test func startOfMonthIsTheFirstMillisecondOfTheUTCMonth() {
        let timestamp = Timestamp(millisecondsSince1970: 1_795_000_000_345)
        #expect(timestamp.startOfMonthUTC.iso8601 == "2026-11-01T00:00:00.000Z")
    }

    @Test func datesRoundToTheNearestMillisecond() {
        #expect(
            Timestamp(Date(timeIntervalSince1970: 1_795_000_000.3449999)).millisecondsSince1970 == 1_795_000_000_345
        )
    }

    @Test(arguments: [
        ("\"2026-11-18T11:06:40.345Z\"", Int64(1_795_000_000_345)),
        ("\"2026-11-18T11:06:40Z\"", Int64(1_795_000_000_000)),
    ])
    func readsISO8601WithOrWithoutMilliseconds(json: String, millis: Int64) throws {
        #expect(try JSONDecoder().decode(Timestamp.self, from: Data(json.utf8)).millisecondsSince1970 == millis)
    }
}
