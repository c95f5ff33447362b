import ArgumentParser

/// `switchboard`: the server and its administration commands.
@main
struct Switchboard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard",
        abstract: "A chatbot-platform backend: bots, synced data sources, human takeover and durable hooks.",
        subcommands: [
            ServeCommand.self, WorkspaceCommand.self, MigrateCommand.self, CopyDataCommand.self, TokensCommand.self,
        ]
    )
}
