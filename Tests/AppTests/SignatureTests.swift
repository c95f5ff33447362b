import Testing

@testable import App

@Suite struct SignatureTests {
    /// Expected value from an independent computation:
    /// `printf '%s' 'msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{"test": 2432232314}'
    ///  | openssl dgst -sha256 -hmac 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' -binary | base64`
    @Test func matchesAnIndependentHMAC() {
        let signature = Signature.sign(
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
            timestamp: 1_614_265_330,
            body: Array(#"{"test": 2432232314}"#.utf8),
            secret: "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        )
        #expect(signature == "v1,ELhqG0Ku1gwOc1f4jyKdp3SFGFLAOdJ9bvpWLciCakI=")
    }

    @Test func signingSecretIsWhsecAndBase64OfTheSecret() {
        #expect(Signature.signingSecret(for: "abc") == "whsec_YWJj")
    }
}
