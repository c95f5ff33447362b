import Foundation
import Histogram
import Synchronization

/// Latencies, recorded in microseconds, reported in milliseconds.
struct Latencies: Sendable {
    private(set) var histogram = Histogram<UInt64>(
        highestTrackableValue: 600_000_000,
        numberOfSignificantValueDigits: .three
    )

    var count: Int { Int(histogram.totalCount) }

    mutating func record(_ duration: Duration) {
        record(microseconds: duration.seconds * 1e6)
    }

    mutating func record(microseconds: Double) {
        _ = histogram.record(UInt64(max(0, microseconds.rounded())))
    }

    mutating func add(_ other: Latencies) { histogram.add(other.histogram) }

    func milliseconds(atPercentile percentile: Double) -> Double {
        count == 0 ? 0 : Double(histogram.valueAtPercentile(percentile)) / 1000
    }

    /// "p50 1.20 ms, p90 …, p99 …"
    var summary: String {
        [50.0, 90, 99].map { String(format: "p%.0f %.2f ms", $0, milliseconds(atPercentile: $0)) }
            .joined(separator: ", ")
    }

    /// `{"p50": …, "p90": …, "p99": …}` in milliseconds.
    var json: String {
        String(
            format: #"{"p50":%.3f,"p90":%.3f,"p99":%.3f}"#,
            milliseconds(atPercentile: 50),
            milliseconds(atPercentile: 90),
            milliseconds(atPercentile: 99)
        )
    }
}

/// Drives `concurrency` callers for `duration` (or until `calls` calls were made). Closed loop by default (each caller goes again as soon as it is
/// answered); with a `rate`, open loop: call *n* is due at start + n / rate and is timed from then, so time
/// spent waiting for a free caller shows in its latency.
enum Load {
    struct Result: Sendable {
        let calls: Int
        let errors: Int
        let firstError: String?
        let seconds: Double
        let latencies: Latencies

        var perSecond: Double { Double(calls) / seconds }
    }

    static func run(
        concurrency: Int,
        duration: Duration,
        calls limit: Int = .max,
        rate: Double? = nil,
        _ call: @escaping @Sendable (Int) async throws -> Void
    ) async -> Result {
        let numbers = CallNumbers()
        let start = ContinuousClock.now
        let end = start + duration
        let outcomes = await withTaskGroup(of: (Int, Int, String?, Latencies).self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var latencies = Latencies()
                    var (calls, errors) = (0, 0)
                    var firstError: String?
                    while true {
                        let number = numbers.next()
                        let due = rate.map { start + .seconds(Double(number) / $0) } ?? ContinuousClock.now
                        guard due < end, number < limit else { break }
                        if due > .now { try? await Task.sleep(until: due) }
                        do {
                            try await call(number)
                            calls += 1
                            latencies.record(ContinuousClock.now - due)
                        } catch {
                            errors += 1
                            if firstError == nil { firstError = "\(error)" }
                        }
                    }
                    return (calls, errors, firstError, latencies)
                }
            }
            var total = (calls: 0, errors: 0, firstError: String?.none, latencies: Latencies())
            for await (calls, errors, firstError, latencies) in group {
                total.calls += calls
                total.errors += errors
                total.firstError = total.firstError ?? firstError
                total.latencies.add(latencies)
            }
            return total
        }
        let elapsed = ContinuousClock.now - start
        return Result(
            calls: outcomes.calls,
            errors: outcomes.errors,
            firstError: outcomes.firstError,
            seconds: elapsed.seconds,
            latencies: outcomes.latencies
        )
    }
}

/// Hands out call numbers 0, 1, 2, … to concurrent callers.
private final class CallNumbers: Sendable {
    private let counter = Atomic<Int>(0)

    func next() -> Int { counter.add(1, ordering: .relaxed).oldValue }
}
