import ArgumentParser
import Foundation
import Logging

/// `switchboard copy-data`: moves an installation from its SQLite file to an empty PostgreSQL database.
struct CopyDataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy-data",
        abstract: "Copy every row of a SQLite installation into an empty PostgreSQL database, in one transaction.",
        discussion: """
            Stop the server first: what it writes after the copy began is not copied. The target must be empty \
            (run it before the first start on PostgreSQL); each table's row count is checked, and on any \
            mismatch nothing is kept.
            """
    )

    @Option(help: "The SQLite file to copy from.")
    var from: String

    @Option(help: "The PostgreSQL database to copy into: postgres://user:password@host:port/database")
    var to: String

    func run() async throws {
        guard case .postgres(let url) = DatabaseLocation(to) else {
            throw ValidationError("--to must be a postgres:// URL")
        }
        guard FileManager.default.fileExists(atPath: from) else {
            throw ValidationError("--from: there is no SQLite file at \(from)")
        }
        let source = try SQLiteStore(path: from)
        let target = try PostgresStore(url: url, logger: Logger(label: "switchboard"))
        do {
            let counts = try await target.withRunningClient { try await target.copy(from: source) }
            for (table, rows) in counts { print("\(table): \(rows) rows") }
            print("Copied \(counts.map(\.rows).reduce(0, +)) rows into \(DatabaseLocation(to).redacted).")
        } catch let refused as CopyRefused {
            throw ValidationError(refused.description)
        }
    }
}
