import ArgumentParser
import Foundation

/// `switchboard migrate`: brings the database schema up to date and exits (`serve` does this too).
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or update the database schema."
    )

    @OptionGroup var database: DatabaseOption

    func run() async throws {
        let path = database.path
        _ = try SQLiteStore(path: path)
        print("Database \(path) is up to date.")
    }
}
