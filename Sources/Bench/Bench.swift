import ArgumentParser

/// `switchboard-bench`: measurements that print figures, each beside a ceiling measured in the same run.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard-bench",
        abstract: "Benchmarks for Switchboard.",
        subcommands: [
            CeilingBenchmark.self, LifecycleBenchmark.self, AssignmentBenchmark.self, DeliveriesBenchmark.self,
            SyncBenchmark.self, SiteBenchmark.self,
            TokenizerBenchmark.self, EmbeddingBenchmark.self, RetrievalBenchmark.self,
        ]
    )
}
