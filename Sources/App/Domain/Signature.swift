import Crypto
import Foundation

/// Standard Webhooks signing (DESIGN.md §5): `v1,` + base64 HMAC-SHA256 over `"{id}.{timestamp}.{body}"`,
/// keyed with the secret's UTF-8 bytes.
enum Signature {
    static func sign(id: String, timestamp: Int64, body: [UInt8], secret: String) -> String {
        var message = Data("\(id).\(timestamp).".utf8)
        message.append(contentsOf: body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8)))
        return "v1," + Data(mac).base64EncodedString()
    }

    /// The secret in the Standard Webhooks form that their libraries take: `whsec_` + base64 of its bytes.
    static func signingSecret(for secret: String) -> String {
        "whsec_" + Data(secret.utf8).base64EncodedString()
    }
}
