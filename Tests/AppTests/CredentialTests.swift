import Foundation
import Testing

@testable import App

@Suite struct CredentialTests {
    @Test(arguments: [Credential.Kind.ownerKey, .agentToken, .visitorToken])
    func generatedCredentialsCarryTheirPrefixAnd192RandomBits(kind: Credential.Kind) {
        let credential = Credential.generate(kind)
        #expect(credential.plaintext.hasPrefix(kind.rawValue))
        #expect(credential.plaintext.count == 3 + 48)
        #expect(Credential.generate(kind).plaintext != credential.plaintext)
    }

    @Test func hashIsHexSHA256OfThePlaintext() {
        // printf 'sk_test' | sha256sum
        #expect(
            Credential(presented: "sk_test")?.hash == "12b2820cf1639904311da5771de1e5bb65c77073fdc7c555df395942df42896b"
        )
    }

    @Test(arguments: ["", "sk_", "token", "xk_abc", String(repeating: "a", count: 300)])
    func unknownShapesAreNotCredentials(token: String) {
        #expect(Credential(presented: token) == nil)
    }
}
