import ArgumentParser
import Foundation
import Hummingbird
import Logging
import NIOCore
import Tokenizer

/// `switchboard serve`: runs the HTTP API, the console and the background workers until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the server.")

    @Option(help: "Address to listen on (env SWITCHBOARD_HOSTNAME; default 127.0.0.1).")
    var hostname: String?

    @Option(help: "Port to listen on (env SWITCHBOARD_PORT; default 8080).")
    var port: Int?

    @Option(help: "SQLite database file (env SWITCHBOARD_DATABASE; default ./data/switchboard.sqlite).")
    var database: String?

    @Option(help: "Base URL of trigger URLs (env SWITCHBOARD_PUBLIC_URL; default http://HOST:PORT).")
    var publicURL: String?

    @Option(
        help:
            "Seconds between delivery retries, comma-separated (env SWITCHBOARD_RETRY_SCHEDULE; default 60,300,1800,7200,86400)."
    )
    var retrySchedule: String?

    @Option(help: "Seconds one delivery attempt may take (env SWITCHBOARD_DELIVERY_TIMEOUT; default 10).")
    var deliveryTimeout: Int?

    @Option(help: "Consecutive failed attempts that disable a hook (env SWITCHBOARD_DISABLE_AFTER; default 5).")
    var disableAfter: Int?

    @Flag(
        help:
            "Allow hook and URL-source targets on private and loopback addresses (env SWITCHBOARD_ALLOW_PRIVATE_TARGETS=1)."
    )
    var allowPrivateTargets = false

    @Option(help: "trace, debug, info, notice, warning, error or critical (env SWITCHBOARD_LOG_LEVEL; default info).")
    var logLevel: String?

    @Option(
        help:
            "Requests a minute one client may make to the public visitor routes (env SWITCHBOARD_VISITOR_RATE_LIMIT; default 120)."
    )
    var visitorRateLimit: Int?

    @Option(
        help: "Requests a minute the public routes take for one bot (env SWITCHBOARD_BOT_RATE_LIMIT; default 1200)."
    )
    var botRateLimit: Int?

    @Option(
        help: "Folder of the tokenizer's .tiktoken rank files (env SWITCHBOARD_TOKENIZER_DATA; default data/tokenizer)."
    )
    var tokenizerData: String?

    @Option(
        name: .customLong("llm-url"),
        help: "OpenAI-compatible chat-completions URL that writes bot replies (env SWITCHBOARD_LLM_URL; default none)."
    )
    var llmURL: String?

    @Option(name: .customLong("llm-model"), help: "Model for --llm-url (env SWITCHBOARD_LLM_MODEL).")
    var llmModel: String?

    @Option(name: .customLong("llm-api-key"), help: "Bearer key for --llm-url (env SWITCHBOARD_LLM_API_KEY).")
    var llmAPIKey: String?

    @Option(
        name: .customLong("llm-timeout"),
        help:
            "Seconds an LLM answer may take before the bot replies with passages (env SWITCHBOARD_LLM_TIMEOUT; default 15)."
    )
    var llmTimeout: Int?

    func run() async throws {
        var configuration: AppConfiguration
        do {
            configuration = try AppConfiguration(
                .init(
                    hostname: hostname,
                    port: port,
                    databasePath: database,
                    publicURL: publicURL,
                    retrySchedule: retrySchedule,
                    deliveryTimeout: deliveryTimeout,
                    disableAfter: disableAfter,
                    allowPrivateTargets: allowPrivateTargets,
                    logLevel: logLevel,
                    visitorRateLimit: visitorRateLimit,
                    botRateLimit: botRateLimit,
                    tokenizerDirectory: tokenizerData,
                    llmURL: llmURL,
                    llmModel: llmModel,
                    llmAPIKey: llmAPIKey,
                    llmTimeout: llmTimeout
                ),
                environment: ProcessInfo.processInfo.environment
            )
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
