import ArgumentParser
import Foundation
import Tokenizer

/// `switchboard tokens count`: token counts exactly as tiktoken gives them, for files, standard input, or
/// JSON Lines `{"text": …}` read from standard input.
struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Count tokens.",
        subcommands: [Count.self]
    )

    struct Count: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the token count of each file (\"COUNT PATH\"), or of standard input."
        )

        @Option(help: "cl100k_base or o200k_base.")
        var encoding: String = Encoding.Name.cl100kBase.rawValue

        @Flag(help: "Read JSON Lines {\"text\": …} from standard input and print one count per line.")
        var jsonl = false

        @OptionGroup var data: TokenizerDataOption

        @Argument(help: "Files to count; standard input when none.")
        var files: [String] = []

        func validate() throws {
            guard Encoding.Name(rawValue: encoding) != nil else {
                throw ValidationError("--encoding must be cl100k_base or o200k_base.")
            }
            if jsonl, !files.isEmpty { throw ValidationError("--jsonl reads standard input; give no files.") }
        }

        func run() async throws {
            let encoding = try data.load(Encoding.Name(rawValue: self.encoding)!)
            if jsonl {
                try countLines(encoding)
            } else if files.isEmpty {
                print(
                    encoding.count(
                        try Self.text(FileHandle.standardInput.readDataToEndOfFile(), from: "standard input")
                    )
                )
            } else {
                for path in files {
                    guard let contents = FileManager.default.contents(atPath: path) else {
                        throw ValidationError("Cannot read \(path).")
                    }
                    print("\(encoding.count(try Self.text(contents, from: path))) \(path)")
                }
            }
        }

        private struct Line: Decodable {
            let text: String
        }

        private func countLines(_ encoding: Encoding) throws {
            var number = 0
            while let line = readLine(strippingNewline: true) {
                number += 1
                if line.isEmpty { continue }
                guard let parsed = try? JSONDecoder().decode(Line.self, from: Data(line.utf8)) else {
                    throw ValidationError("Line \(number) is not a JSON object with a \"text\" string.")
                }
                print(encoding.count(parsed.text))
            }
        }

        private static func text(_ data: Data, from source: String) throws -> String {
            guard let text = String(data: data, encoding: .utf8) else {
                throw ValidationError("\(source) is not UTF-8 text.")
            }
            return text
        }
    }
}

/// `--tokenizer-data PATH`: where `scripts/setup.sh` put the rank files.
struct TokenizerDataOption: ParsableArguments {
    static let setting = AppConfiguration.settings.first { $0.name == "tokenizer-data" }!

    @Option(name: .customLong("tokenizer-data"), help: ArgumentHelp(setting.help))
    var option: String?

    var path: String { AppConfiguration(resolving: Self.setting, option: option).tokenizerDirectory }

    func load(_ name: Encoding.Name) throws -> Encoding {
        do {
            return try Encoding.load(name, from: path)
        } catch let error as Encoding.LoadError {
            throw ValidationError(error.description)
        }
    }
}
