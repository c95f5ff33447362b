import ArgumentParser
import Foundation

/// `--database PATH` for the administration commands: the same setting `serve` reads.
struct DatabaseOption: ParsableArguments {
    static let setting = AppConfiguration.settings.first { $0.name == "database" }!

    @Option(name: .customLong("database"), help: ArgumentHelp(setting.help))
    var option: String?

    var path: String { AppConfiguration(resolving: Self.setting, option: option).databasePath }
}
