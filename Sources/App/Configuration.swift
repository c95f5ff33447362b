import Foundation
import Logging

/// Every setting of `switchboard serve`, resolved in one place: a command-line option wins over its
/// environment variable, which wins over the default (DESIGN.md §2).
struct AppConfiguration: Sendable {
    /// `--hostname` / `SWITCHBOARD_HOSTNAME`: the address to listen on.
    var hostname = "127.0.0.1"
    /// `--port` / `SWITCHBOARD_PORT`: the TCP port to listen on; 0 picks a free one.
    var port = 8080
    /// `--database` / `SWITCHBOARD_DATABASE`: the SQLite file, created with its folder.
    var databasePath = "./data/switchboard.sqlite"
    /// `--public-url` / `SWITCHBOARD_PUBLIC_URL`: the base of trigger URLs; `http://HOST:PORT` when unset.
    var publicURL: String?
    /// `--retry-schedule` / `SWITCHBOARD_RETRY_SCHEDULE`: seconds before each retry of a failed delivery.
    var retrySchedule: [Int] = [60, 300, 1800, 7200, 86400]
    /// `--delivery-timeout` / `SWITCHBOARD_DELIVERY_TIMEOUT`: seconds one delivery attempt may take.
    var deliveryTimeout = 10
    /// `--disable-after` / `SWITCHBOARD_DISABLE_AFTER`: consecutive failed attempts that disable a hook.
    var disableAfter = 5
    /// `--allow-private-targets` / `SWITCHBOARD_ALLOW_PRIVATE_TARGETS=1`: let hooks and URL sources reach
    /// loopback, private, link-local and metadata addresses (for development and tests only).
    var allowPrivateTargets = false
    /// `--log-level` / `SWITCHBOARD_LOG_LEVEL`: trace, debug, info, notice, warning, error or critical.
    var logLevel: Logger.Level = .info
    /// `--visitor-rate-limit` / `SWITCHBOARD_VISITOR_RATE_LIMIT`: requests a minute one client address may
    /// make to the public visitor routes.
    var visitorRateLimit = 120
    /// `--bot-rate-limit` / `SWITCHBOARD_BOT_RATE_LIMIT`: requests a minute the public routes take for one bot,
    /// from all visitors together.
    var botRateLimit = 1200
    /// `--tokenizer-data` / `SWITCHBOARD_TOKENIZER_DATA`: the folder of the verified `.tiktoken` rank files.
    var tokenizerDirectory = "data/tokenizer"
    /// The folder served at `/`: the web console and `openapi.yaml`.
    var publicDirectory = "Public"
    /// Create the workspace "Default" on an empty database and print its key (the `serve` command does).
    var createsDefaultWorkspace = false
    /// `--llm-url` / `SWITCHBOARD_LLM_URL`: an OpenAI-compatible chat-completions endpoint that writes bot
    /// replies from the retrieved passages; without it, replies quote the passages.
    var llm: LLMSettings?
    /// How often a quiet event stream sends a heartbeat comment.
    var eventHeartbeatInterval = Duration.seconds(15)
    /// Requests a minute the trigger URL takes from one client address, and for one hook.
    var triggerRateLimit = 60
    /// How outbound host names resolve: the system's resolver. Not an option: tests put in one they control.
    var hostResolver = HostResolver.system

    /// The base URL that trigger URLs start with.
    var resolvedPublicURL: String {
        let base = publicURL ?? "http://\(hostname.contains(":") ? "[\(hostname)]" : hostname):\(port)"
        return base.hasSuffix("/") ? String(base.dropLast()) : base
    }
}

/// A setting that could not be read, named by its option and environment variable.
struct ConfigurationError: Error, CustomStringConvertible {
    let description: String
}

extension AppConfiguration {
    /// Command-line values as parsed (nil when not given), to be merged with the environment.
    struct Overrides {
        var hostname: String?
        var port: Int?
        var databasePath: String?
        var publicURL: String?
        var retrySchedule: String?
        var deliveryTimeout: Int?
        var disableAfter: Int?
        var allowPrivateTargets = false
        var logLevel: String?
        var visitorRateLimit: Int?
        var botRateLimit: Int?
        var tokenizerDirectory: String?
        var llmURL: String?
        var llmModel: String?
        var llmAPIKey: String?
        var llmTimeout: Int?
    }

    /// Resolves each setting from its option, then its variable in `environment`, then its default.
    init(_ overrides: Overrides, environment: [String: String]) throws {
        func value(_ option: String?, _ variable: String) -> String? {
            option ?? environment[variable].flatMap { $0.isEmpty ? nil : $0 }
        }
        func integer(_ option: Int?, _ variable: String, _ name: String, in range: ClosedRange<Int>) throws -> Int? {
            if let option {
                guard range.contains(option) else {
                    throw ConfigurationError(
                        description: "--\(name) must be from \(range.lowerBound) to \(range.upperBound)."
                    )
                }
                return option
            }
            guard let text = value(nil, variable) else { return nil }
            guard let number = Int(text), range.contains(number) else {
                throw ConfigurationError(
                    description: "\(variable) must be a whole number from \(range.lowerBound) to \(range.upperBound)."
                )
            }
            return number
        }

        self.init()
        hostname = value(overrides.hostname, "SWITCHBOARD_HOSTNAME") ?? hostname
        port = try integer(overrides.port, "SWITCHBOARD_PORT", "port", in: 0...65535) ?? port
        databasePath = value(overrides.databasePath, "SWITCHBOARD_DATABASE") ?? databasePath
        if let url = value(overrides.publicURL, "SWITCHBOARD_PUBLIC_URL") {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased()),
                parsed.host?.isEmpty == false
            else {
                throw ConfigurationError(description: "--public-url / SWITCHBOARD_PUBLIC_URL must be an http(s) URL.")
            }
            publicURL = url
        }
        if let schedule = value(overrides.retrySchedule, "SWITCHBOARD_RETRY_SCHEDULE") {
            let seconds = schedule.split(separator: ",", omittingEmptySubsequences: false).map {
                Int($0.trimmingCharacters(in: .whitespaces))
            }
            guard !seconds.isEmpty, seconds.allSatisfy({ ($0 ?? 0) > 0 }) else {
                throw ConfigurationError(
                    description:
                        "--retry-schedule / SWITCHBOARD_RETRY_SCHEDULE must be positive seconds separated by commas, like 60,300,1800."
                )
            }
            retrySchedule = seconds.compactMap { $0 }
        }
        deliveryTimeout =
            try integer(overrides.deliveryTimeout, "SWITCHBOARD_DELIVERY_TIMEOUT", "delivery-timeout", in: 1...300)
            ?? deliveryTimeout
        disableAfter =
            try integer(overrides.disableAfter, "SWITCHBOARD_DISABLE_AFTER", "disable-after", in: 1...1000)
            ?? disableAfter
        visitorRateLimit =
            try integer(
                overrides.visitorRateLimit,
                "SWITCHBOARD_VISITOR_RATE_LIMIT",
                "visitor-rate-limit",
                in: 1...1_000_000
            )
            ?? visitorRateLimit
        botRateLimit =
            try integer(overrides.botRateLimit, "SWITCHBOARD_BOT_RATE_LIMIT", "bot-rate-limit", in: 1...10_000_000)
            ?? botRateLimit
        tokenizerDirectory = value(overrides.tokenizerDirectory, "SWITCHBOARD_TOKENIZER_DATA") ?? tokenizerDirectory
        allowPrivateTargets =
            overrides.allowPrivateTargets
            || ["1", "true", "yes"].contains(environment["SWITCHBOARD_ALLOW_PRIVATE_TARGETS"]?.lowercased() ?? "")
        if let level = value(overrides.logLevel, "SWITCHBOARD_LOG_LEVEL") {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                throw ConfigurationError(
                    description:
                        "--log-level / SWITCHBOARD_LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical."
                )
            }
            logLevel = parsed
        }
        if let url = value(overrides.llmURL, "SWITCHBOARD_LLM_URL") {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased()),
                parsed.host?.isEmpty == false
            else {
                throw ConfigurationError(description: "--llm-url / SWITCHBOARD_LLM_URL must be an http(s) URL.")
            }
            guard let model = value(overrides.llmModel, "SWITCHBOARD_LLM_MODEL") else {
                throw ConfigurationError(description: "--llm-url needs --llm-model (or SWITCHBOARD_LLM_MODEL).")
            }
            llm = LLMSettings(
                url: url,
                model: model,
                apiKey: value(overrides.llmAPIKey, "SWITCHBOARD_LLM_API_KEY"),
                timeout: try integer(overrides.llmTimeout, "SWITCHBOARD_LLM_TIMEOUT", "llm-timeout", in: 1...300) ?? 15
            )
        }
    }
}

/// The chat-completions endpoint that writes bot replies.
struct LLMSettings: Sendable {
    var url: String
    var model: String
    var apiKey: String?
    /// Seconds.
    var timeout: Int
}
