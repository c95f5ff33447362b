import ArgumentParser
import Foundation
import Logging

/// `switchboard migrate`: brings the database schema up to date and exits (`serve` does this too).
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or update the database schema."
    )

    @OptionGroup var database: DatabaseOption

    func run() async throws {
        let location = DatabaseLocation(database.path)
        try await location.withStore(logger: Logger(label: "switchboard")) { store in try await store.migrate() }
        print("Database \(location.redacted) is up to date.")
    }
}
