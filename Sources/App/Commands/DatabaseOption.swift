import ArgumentParser
import Foundation

/// `--database PATH` for the administration commands, read like `serve` reads it.
struct DatabaseOption: ParsableArguments {
    @Option(
        name: .customLong("database"),
        help: "SQLite database file (env SWITCHBOARD_DATABASE; default ./data/switchboard.sqlite)."
    )
    var option: String?

    var path: String {
        option ?? ProcessInfo.processInfo.environment["SWITCHBOARD_DATABASE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? AppConfiguration().databasePath
    }
}
