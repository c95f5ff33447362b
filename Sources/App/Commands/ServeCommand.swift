import ArgumentParser
import Foundation
import Hummingbird
import Logging
import NIOCore
import Tokenizer

/// `switchboard serve`: runs the HTTP API, the console and the background workers until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the server.",
        discussion: "Each setting is an option or an environment variable; an option wins.\n\n"
            + AppConfiguration.settings.map { "\($0.flag)\($0.isFlag ? "" : " <value>")\n    \($0.help)" }
            .joined(separator: "\n")
    )

    /// The settings, read against `AppConfiguration.settings` (listed in `--help`).
    @Argument(parsing: .allUnrecognized, help: "Settings, as listed below.")
    var settings: [String] = []

    func run() async throws {
        var configuration: AppConfiguration
        do {
            configuration = try AppConfiguration(arguments: settings, environment: ProcessInfo.processInfo.environment)
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        configuration.createsDefaultWorkspace = true
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        let app: any ApplicationProtocol
        do {
            app = try await buildApplication(configuration)
        } catch let error as Encoding.LoadError {
            throw ValidationError(error.description)
        }
        do {
            try await app.runService()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            // One clear line instead of the socket call's error; the services have all stopped by now.
            FileHandle.standardError.write(Data("switchboard: port \(configuration.port) is already in use\n".utf8))
            throw ExitCode.failure
        }
    }
}
