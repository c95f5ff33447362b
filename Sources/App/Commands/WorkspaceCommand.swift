import ArgumentParser
import Foundation
import Logging

/// `switchboard workspace create`: a new tenant and its owner key, for scripts.
struct WorkspaceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workspace",
        abstract: "Manage workspaces.",
        subcommands: [Create.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a workspace and print {\"workspaceId\",\"apiKey\"} as one JSON line."
        )

        @Option(help: "The workspace's name (1-200 characters).")
        var name: String

        @OptionGroup var database: DatabaseOption

        func run() async throws {
            let name: String
            do {
                name = try Validate.name(self.name)
            } catch {
                throw ValidationError(error.message)
            }
            let (workspace, key) = try await DatabaseLocation(database.path).withStore(
                logger: Logger(label: "switchboard")
            ) {
                try await $0.createWorkspace(name: name)
            }
            let line = try JSONEncoder.api().encode(["workspaceId": workspace.id, "apiKey": key.plaintext])
            print(String(decoding: line, as: UTF8.self))
        }
    }
}
