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

/// A hook's secret (DESIGN.md §5): generated, 32 lowercase hex characters; or chosen, 16 to 128 of
/// `A-Z a-z 0-9 _ -`, safe in a URL path and a header.
enum HookSecret {
    static func generated() -> String { SecureRandom.hex(byteCount: 16) }

    static func validated(_ text: String) throws(AppError) -> String {
        let allowed = { (byte: UInt8) in
            (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
        guard (16...128).contains(text.utf8.count), text.utf8.allSatisfy(allowed) else {
            throw .invalidField("secret", "secret must be 16 to 128 characters of A-Z, a-z, 0-9, _ and -.")
        }
        return text
    }
}
