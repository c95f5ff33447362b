import Foundation
import Logging

/// Every setting of `switchboard serve`, each declared once in `settings` (DESIGN.md §2).
struct AppConfiguration: Sendable {
    /// `--hostname` / `SWITCHBOARD_HOSTNAME`: the address to listen on.
    var hostname = "127.0.0.1"
    /// `--port` / `SWITCHBOARD_PORT`: the TCP port to listen on; 0 picks a free one.
    var port = 8080
    /// `--database` / `SWITCHBOARD_DATABASE`: the SQLite file, created with its folder, or a PostgreSQL URL.
    var databasePath = "./data/switchboard.sqlite"
    /// `--public-url` / `SWITCHBOARD_PUBLIC_URL`: the base of trigger URLs; `http://HOST:PORT` when unset.
    var publicURL: String?
    /// `--retry-schedule` / `SWITCHBOARD_RETRY_SCHEDULE`: seconds before each retry of a failed delivery.
    var retrySchedule: [Int] = [60, 300, 1800, 7200, 86400]
    /// `--delivery-timeout` / `SWITCHBOARD_DELIVERY_TIMEOUT`: seconds one delivery attempt may take.
    var deliveryTimeout = 10
    /// `--disable-after` / `SWITCHBOARD_DISABLE_AFTER`: consecutive failed attempts that disable a hook.
    var disableAfter = 5
    /// `--retention-days` / `SWITCHBOARD_RETENTION_DAYS`: finished deliveries and sync jobs older than this are
    /// deleted; 0 keeps them forever.
    var retentionDays = 30
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
    /// `--embedding-model` / `SWITCHBOARD_EMBEDDING_MODEL`: the sentence-transformer folder that makes hybrid
    /// retrieval possible, or `none` for lexical search only. While the folder is missing, lexical only (logged
    /// once); a folder that is there must hold a model.
    var embeddingModelPath = "data/embedding/all-MiniLM-L6-v2"
    static let noEmbeddingModel = "none"
    /// `--vector-cache-mb` / `SWITCHBOARD_VECTOR_CACHE_MB`: memory for bots' document vectors (1,000 documents
    /// take 1.5 MB with the default model).
    var vectorCacheMegabytes = 512
    /// The folder served at `/`: the web console and `openapi.yaml`.
    var publicDirectory = "Public"
    /// Create the workspace "Default" on an empty database and print its key (the `serve` command does).
    var createsDefaultWorkspace = false
    /// `--llm-url`, `--llm-model`, `--llm-api-key`, `--llm-timeout` (seconds): an OpenAI-compatible
    /// chat-completions endpoint that writes bot replies from the retrieved passages; without it, replies quote
    /// the passages.
    var llmURL: String?
    var llmModel: String?
    var llmAPIKey: String?
    var llmTimeout = 15
    /// How often a quiet event stream sends a heartbeat comment.
    var eventHeartbeatInterval = Duration.seconds(15)
    /// `--trigger-rate-limit`: requests a minute the trigger URL takes from one client address, and for one hook.
    var triggerRateLimit = 60
    /// How outbound host names resolve: the system's resolver. Not an option: tests put in one they control.
    var hostResolver = HostResolver.system
    /// The time the handoff timers run on (tests inject a clock they move).
    var timerClock: any TimerClock = SystemTimerClock()

    /// The LLM endpoint, when one is set with its model.
    var llm: LLMSettings? {
        get {
            guard let llmURL, let llmModel else { return nil }
            return LLMSettings(url: llmURL, model: llmModel, apiKey: llmAPIKey, timeout: llmTimeout)
        }
        set {
            (llmURL, llmModel, llmAPIKey) = (newValue?.url, newValue?.model, newValue?.apiKey)
            llmTimeout = newValue?.timeout ?? 15
        }
    }

    /// The base URL that trigger URLs start with.
    var resolvedPublicURL: String {
        let base = publicURL ?? "http://\(hostname.contains(":") ? "[\(hostname)]" : hostname):\(port)"
        return base.hasSuffix("/") ? String(base.dropLast()) : base
    }
}

/// A setting that could not be read, named by its option or environment variable.
struct ConfigurationError: Error, CustomStringConvertible {
    let description: String
}

/// One setting of `switchboard serve`, declared once: `--name` on the command line, `SWITCHBOARD_NAME` in the
/// environment, its default (what `AppConfiguration()` holds) and its help all come from this declaration.
struct Setting: Sendable {
    let name: String
    let summary: String
    /// A flag takes no value: given, it is on.
    let isFlag: Bool
    /// Reads `text` into the configuration; answers why it cannot, as the end of a sentence.
    let apply: @Sendable (inout AppConfiguration, String) -> String?
    let shownDefault: @Sendable (AppConfiguration) -> String?

    var flag: String { "--\(name)" }
    var variable: String { "SWITCHBOARD_" + name.uppercased().replacingOccurrences(of: "-", with: "_") }

    /// The line `--help` shows.
    var help: String {
        let fallback = shownDefault(AppConfiguration()).map { "; default \($0)" } ?? ""
        return "\(summary) (env \(variable)\(isFlag ? "=1" : "")\(fallback))."
    }

    /// The setting's text: the option if given, else its environment variable, with where it came from.
    func text(option: String?, environment: [String: String]) -> (text: String, source: String)? {
        if let option { return (option, flag) }
        guard let value = environment[variable], !value.isEmpty else { return nil }
        return (value, variable)
    }

    static func text(
        _ name: String,
        _ keyPath: any WritableKeyPath<AppConfiguration, String> & Sendable,
        _ summary: String
    ) -> Setting {
        reading(name, keyPath, summary, read: { $0 }, shown: { $0 })
    }

    /// A text setting with no default.
    static func optionalText(
        _ name: String,
        _ keyPath: any WritableKeyPath<AppConfiguration, String?> & Sendable,
        _ summary: String
    ) -> Setting {
        reading(name, keyPath, summary, read: { $0 }, shown: { $0 })
    }

    static func integer(
        _ name: String,
        _ keyPath: any WritableKeyPath<AppConfiguration, Int> & Sendable,
        in range: ClosedRange<Int>,
        _ summary: String
    ) -> Setting {
        reading(
            name,
            keyPath,
            summary,
            refusal: "must be a whole number from \(range.lowerBound) to \(range.upperBound).",
            read: { Int($0).flatMap { range.contains($0) ? $0 : nil } },
            shown: { String($0) }
        )
    }

    static func url(
        _ name: String,
        _ keyPath: any WritableKeyPath<AppConfiguration, String?> & Sendable,
        _ summary: String,
        shownDefault: String
    ) -> Setting {
        reading(
            name,
            keyPath,
            summary,
            refusal: "must be an http(s) URL.",
            read: { text in
                guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased()),
                    url.host?.isEmpty == false
                else { return nil }
                return text
            },
            shown: { _ in shownDefault }
        )
    }

    /// A setting whose text `read` turns into its value (nil: refused, with `refusal`), shown by `shown`.
    private static func reading<Value: Sendable>(
        _ name: String,
        _ keyPath: any WritableKeyPath<AppConfiguration, Value> & Sendable,
        _ summary: String,
        refusal: String = "",
        read: @escaping @Sendable (String) -> Value?,
        shown: @escaping @Sendable (Value) -> String?
    ) -> Setting {
        Setting(
            name: name,
            summary: summary,
            isFlag: false,
            apply: { configuration, text in
                guard let value = read(text) else { return refusal }
                configuration[keyPath: keyPath] = value
                return nil
            }
        ) { shown($0[keyPath: keyPath]) }
    }
}

extension AppConfiguration {
    /// Every setting of `serve`, in the order `--help` lists them.
    static let settings: [Setting] = [
        .text("hostname", \.hostname, "Address to listen on"),
        .integer("port", \.port, in: 0...65535, "Port to listen on; 0 picks a free one"),
        .text("database", \.databasePath, "SQLite database file, or postgres://user:password@host:port/database"),
        .url("public-url", \.publicURL, "Base URL of trigger URLs", shownDefault: "http://HOST:PORT"),
        Setting(
            name: "retry-schedule",
            summary: "Seconds between delivery retries, comma-separated",
            isFlag: false,
            apply: { configuration, text in
                let seconds = text.split(separator: ",", omittingEmptySubsequences: false).map {
                    Int($0.trimmingCharacters(in: .whitespaces))
                }
                guard !seconds.isEmpty, seconds.allSatisfy({ ($0 ?? 0) > 0 }) else {
                    return "must be positive seconds separated by commas, like 60,300,1800."
                }
                configuration.retrySchedule = seconds.compactMap { $0 }
                return nil
            }
        ) { $0.retrySchedule.map(String.init).joined(separator: ",") },
        .integer("delivery-timeout", \.deliveryTimeout, in: 1...300, "Seconds one delivery attempt may take"),
        .integer("disable-after", \.disableAfter, in: 1...1000, "Consecutive failed attempts that disable a hook"),
        .integer(
            "retention-days",
            \.retentionDays,
            in: 0...36_500,
            "Days finished deliveries and sync jobs are kept (0: forever)"
        ),
        Setting(
            name: "allow-private-targets",
            summary: "Allow hook and URL-source targets on private and loopback addresses",
            isFlag: true,
            apply: { configuration, text in
                configuration.allowPrivateTargets = ["1", "true", "yes"].contains(text.lowercased())
                return nil
            }
        ) { _ in nil },
        Setting(
            name: "log-level",
            summary: "trace, debug, info, notice, warning, error or critical",
            isFlag: false,
            apply: { configuration, text in
                guard let level = Logger.Level(rawValue: text.lowercased()) else {
                    return "must be one of trace, debug, info, notice, warning, error, critical."
                }
                configuration.logLevel = level
                return nil
            }
        ) { $0.logLevel.rawValue },
        .integer(
            "visitor-rate-limit",
            \.visitorRateLimit,
            in: 1...1_000_000,
            "Requests a minute one client may make to the public visitor routes"
        ),
        .integer(
            "bot-rate-limit",
            \.botRateLimit,
            in: 1...10_000_000,
            "Requests a minute the public routes take for one bot"
        ),
        .integer(
            "trigger-rate-limit",
            \.triggerRateLimit,
            in: 1...1_000_000,
            "Requests a minute the sync trigger URL takes from one client, and for one hook"
        ),
        .text("tokenizer-data", \.tokenizerDirectory, "Folder of the tokenizer's .tiktoken rank files"),
        .text(
            "embedding-model",
            \.embeddingModelPath,
            "Sentence-embedding model folder for hybrid retrieval, or none for lexical search only"
        ),
        .integer(
            "vector-cache-mb",
            \.vectorCacheMegabytes,
            in: 1...1_000_000,
            "Megabytes of document vectors kept in memory, least recently used bots leaving first"
        ),
        .url(
            "llm-url",
            \.llmURL,
            "OpenAI-compatible chat-completions URL that writes bot replies",
            shownDefault: "none"
        ),
        .optionalText("llm-model", \.llmModel, "Model for --llm-url"),
        .optionalText(
            "llm-api-key",
            \.llmAPIKey,
            "Bearer key for --llm-url (prefer the environment: options show in ps)"
        ),
        .integer(
            "llm-timeout",
            \.llmTimeout,
            in: 1...300,
            "Seconds an LLM answer may take before the bot replies with passages"
        ),
    ]

    /// Resolves every setting: an option in `arguments` wins over its environment variable, which wins over the
    /// default.
    init(arguments: [String], environment: [String: String]) throws {
        self.init()
        let options = try Self.options(in: arguments)
        for setting in Self.settings {
            guard let (text, source) = setting.text(option: options[setting.name], environment: environment)
            else { continue }
            if let refusal = setting.apply(&self, text) {
                throw ConfigurationError(description: "\(source) \(refusal)")
            }
        }
        if llmURL != nil, llmModel == nil {
            throw ConfigurationError(description: "--llm-url needs --llm-model (or SWITCHBOARD_LLM_MODEL).")
        }
    }

    /// The defaults with one text setting resolved, for the commands that need just it (`--database`,
    /// `--tokenizer-data`): a bad value of any other variable must not stop them.
    init(resolving setting: Setting, option: String?) {
        self.init()
        if let (text, _) = setting.text(option: option, environment: ProcessInfo.processInfo.environment) {
            _ = setting.apply(&self, text)
        }
    }

    /// The options given, by name: `--name value`, `--name=value`, and flags alone (`--allow-private-targets`).
    private static func options(in arguments: [String]) throws -> [String: String] {
        var options: [String: String] = [:]
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            let parts = argument.dropFirst(2).split(separator: "=", maxSplits: 1).map(String.init)
            guard argument.hasPrefix("--"), let name = parts.first else {
                throw ConfigurationError(description: "Unexpected \(argument): options start with --.")
            }
            let inline = parts.count > 1 ? parts[1] : nil
            guard let setting = settings.first(where: { $0.name == name }) else {
                throw ConfigurationError(description: "Unknown option --\(name): see `switchboard serve --help`.")
            }
            if setting.isFlag {
                options[name] = inline ?? "1"
            } else if let value = inline ?? rest.popFirst() {
                options[name] = value
            } else {
                throw ConfigurationError(description: "--\(name) needs a value.")
            }
        }
        return options
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
