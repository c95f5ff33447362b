import Foundation
import Testing

@testable import Tokenizer

@Suite struct LoadingTests {
    @Test func aMissingFileSaysHowToGetIt() {
        #expect {
            try Encoding.load(.cl100kBase, from: "/nonexistent")
        } throws: { error in
            "\(error)".contains("make setup")
        }
    }

    @Test func anAlteredFileIsRefused() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var data = try Data(
            contentsOf: URL(fileURLWithPath: tokenizerData).appendingPathComponent("cl100k_base.tiktoken")
        )
        data[0] ^= 1
        try data.write(to: folder.appendingPathComponent("cl100k_base.tiktoken"))
        #expect {
            try Encoding.load(.cl100kBase, from: folder.path)
        } throws: { error in
            "\(error)".contains("SHA-256")
        }
    }

    @Test func malformedLinesAreNamed() {
        #expect {
            try Encoding(name: .cl100kBase, rankFile: Array("IQ== 0\nnot-base64 1\n".utf8))
        } throws: { error in
            "\(error)".contains("line 2")
        }
    }
}
