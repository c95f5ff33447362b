import Testing

@testable import App

@Suite struct ConfigurationTests {
    @Test func defaultsMatchTheDesign() throws {
        let configuration = try AppConfiguration(arguments: [], environment: [:])
        #expect(configuration.hostname == "127.0.0.1")
        #expect(configuration.port == 8080)
        #expect(configuration.databasePath == "./data/switchboard.sqlite")
        #expect(configuration.resolvedPublicURL == "http://127.0.0.1:8080")
        #expect(configuration.retrySchedule == [60, 300, 1800, 7200, 86400])
        #expect(configuration.deliveryTimeout == 10)
        #expect(configuration.disableAfter == 5)
        #expect(configuration.allowPrivateTargets == false)
        #expect(configuration.logLevel == .info)
        #expect(configuration.llm == nil)
    }

    @Test func anLLMNeedsAnHTTPURLAndAModelAndTakesItsKeyAndTimeout() throws {
        let configuration = try AppConfiguration(
            arguments: [
                "--llm-url", "http://127.0.0.1:11434/v1/chat/completions", "--llm-model=llama3", "--llm-timeout", "4",
            ],
            environment: ["SWITCHBOARD_LLM_API_KEY": "key"]
        )
        #expect(configuration.llm?.url == "http://127.0.0.1:11434/v1/chat/completions")
        #expect(configuration.llm?.model == "llama3" && configuration.llm?.apiKey == "key")
        #expect(configuration.llm?.timeout == 4)
        #expect(
            try AppConfiguration(
                arguments: ["--llm-url", "https://x.example/v1", "--llm-model", "m"],
                environment: [:]
            )
            .llm?.timeout
                == 15
        )
        #expect(throws: ConfigurationError.self) {
            try AppConfiguration(arguments: ["--llm-url", "https://x.example/v1"], environment: [:])
        }
        #expect(throws: ConfigurationError.self) {
            try AppConfiguration(arguments: ["--llm-url", "ftp://x.example/v1", "--llm-model", "m"], environment: [:])
        }
        #expect(throws: ConfigurationError.self) {
            try AppConfiguration(
                arguments: ["--llm-url", "https://x.example/v1", "--llm-model", "m", "--llm-timeout", "0"],
                environment: [:]
            )
        }
    }

    @Test func environmentVariablesSetEveryOption() throws {
        let configuration = try AppConfiguration(
            arguments: [],
            environment: [
                "SWITCHBOARD_HOSTNAME": "0.0.0.0", "SWITCHBOARD_PORT": "9000",
                "SWITCHBOARD_DATABASE": "/tmp/x.sqlite", "SWITCHBOARD_PUBLIC_URL": "https://hooks.example.com/",
                "SWITCHBOARD_RETRY_SCHEDULE": "1, 2,3", "SWITCHBOARD_DELIVERY_TIMEOUT": "3",
                "SWITCHBOARD_DISABLE_AFTER": "2", "SWITCHBOARD_ALLOW_PRIVATE_TARGETS": "1",
                "SWITCHBOARD_LOG_LEVEL": "DEBUG", "SWITCHBOARD_TOKENIZER_DATA": "/srv/tokenizer",
                "SWITCHBOARD_VISITOR_RATE_LIMIT": "7", "SWITCHBOARD_BOT_RATE_LIMIT": "70",
                "SWITCHBOARD_TRIGGER_RATE_LIMIT": "8",
            ]
        )
        #expect(configuration.hostname == "0.0.0.0")
        #expect(configuration.port == 9000)
        #expect(configuration.databasePath == "/tmp/x.sqlite")
        #expect(configuration.resolvedPublicURL == "https://hooks.example.com")
        #expect(configuration.retrySchedule == [1, 2, 3])
        #expect(configuration.deliveryTimeout == 3)
        #expect(configuration.disableAfter == 2)
        #expect(configuration.allowPrivateTargets)
        #expect(configuration.logLevel == .debug)
        #expect(configuration.tokenizerDirectory == "/srv/tokenizer")
        #expect(configuration.visitorRateLimit == 7)
        #expect(configuration.botRateLimit == 70)
        #expect(configuration.triggerRateLimit == 8)
    }

    @Test func optionsWinOverEnvironment() throws {
        let configuration = try AppConfiguration(
            arguments: ["--hostname", "::1", "--port=81", "--retry-schedule", "5", "--allow-private-targets"],
            environment: [
                "SWITCHBOARD_PORT": "9000", "SWITCHBOARD_HOSTNAME": "0.0.0.0", "SWITCHBOARD_RETRY_SCHEDULE": "1",
            ]
        )
        #expect(configuration.port == 81)
        #expect(configuration.retrySchedule == [5])
        #expect(configuration.resolvedPublicURL == "http://[::1]:81")
        #expect(configuration.allowPrivateTargets)
    }

    @Test(arguments: [["--prot", "80"], ["--port"], ["serve"], ["--"]])
    func anUnknownOptionOrAMissingValueIsRefused(arguments: [String]) {
        #expect(throws: ConfigurationError.self) { try AppConfiguration(arguments: arguments, environment: [:]) }
    }

    @Test func eachSettingsHelpNamesItsVariableAndDefault() throws {
        let port = try #require(AppConfiguration.settings.first { $0.name == "port" })
        #expect(port.help == "Port to listen on; 0 picks a free one (env SWITCHBOARD_PORT; default 8080).")
        #expect(Set(AppConfiguration.settings.map(\.name)).count == AppConfiguration.settings.count)
    }
}
