import ArgumentParser
import Foundation

/// `--database PATH` for the administration commands: the same setting `serve` reads.
struct DatabaseOption: ParsableArguments {
    static let setting = AppConfiguration.settings.first { $0.name == "database" }!

    @Option(name: .customLong("database"), help: ArgumentHelp(setting.help))
    var option: String?

    var path: String { AppConfiguration.resolve(Self.setting, option: option, \.databasePath) }
}

extension AppConfiguration {
    /// One text setting alone, for the commands that need just it: the option, its variable, or the default.
    static func resolve(_ setting: Setting, option: String?, _ keyPath: KeyPath<AppConfiguration, String>) -> String {
        setting.text(option: option, environment: ProcessInfo.processInfo.environment)?.text
            ?? AppConfiguration()[keyPath: keyPath]
    }
}
