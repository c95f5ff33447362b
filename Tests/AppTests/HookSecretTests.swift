import Testing

@testable import App

/// DESIGN.md §5's hook secrets, decided by `HookSecret` alone.
@Suite struct HookSecretTests {
    @Test func aGeneratedSecretIs32LowercaseHexCharacters() {
        let secret = HookSecret.generated()
        #expect(secret.count == 32 && secret.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(secret != HookSecret.generated())
    }

    @Test(arguments: ["abcdefghijklmnop", "A-Z_a-z_0-9-mixed", String(repeating: "x", count: 128)])
    func aChosenSecretOf16To128SafeCharactersIsKept(secret: String) throws {
        #expect(try HookSecret.validated(secret) == secret)
    }

    @Test(arguments: [
        "short", String(repeating: "x", count: 129), "has space in it!!", "ünïcödé-ünïcödé-x", "slash/inside/secret",
    ])
    func anyOtherSecretIsRefusedAsAnInvalidField(secret: String) {
        #expect { try HookSecret.validated(secret) } throws: { ($0 as? AppError)?.code == .invalidField }
    }
}
