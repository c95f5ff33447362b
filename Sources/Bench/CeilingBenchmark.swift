import ArgumentParser
import Foundation

/// `switchboard-bench ceiling`: the trivial route (`/healthz`) at a given concurrency — what this machine can
/// do with this server at all, the yardstick for every other figure.
struct CeilingBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ceiling",
        abstract: "Requests/s and latency of GET /healthz."
    )

    @OptionGroup var server: ServerOptions

    @Option(help: "Concurrent callers.")
    var concurrency = 32

    @Option(help: "Seconds to run.")
    var seconds = 5.0

    func run() async throws {
        try await Session.run(server, connections: concurrency) { _, api in
            let ceiling = await Session.ceiling(api, concurrency: concurrency, seconds: seconds)
            print(
                "ceiling: GET /healthz, \(concurrency) callers: \(Report.rate(ceiling.perSecond)) — "
                    + "\(ceiling.latencies.summary), \(ceiling.errors) errors"
            )
            print(
                #"{"benchmark":"ceiling","concurrency":\#(concurrency),"#
                    + String(format: #""requestsPerSecond":%.0f,"errors":%d,"#, ceiling.perSecond, ceiling.errors)
                    + #""latency":\#(ceiling.latencies.json)}"#
            )
        }
    }
}
