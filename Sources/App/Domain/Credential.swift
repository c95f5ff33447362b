import Crypto
import Foundation

/// A bearer credential. The plaintext is shown once; only its SHA-256 hash is stored.
///
/// Lookups go by hash, so the comparison never touches the secret byte by byte:
/// an attacker learns nothing from timing about a credential they do not hold.
struct Credential: Sendable {
    enum Kind: String, Sendable {
        case ownerKey = "sk_"
        case agentToken = "ak_"
        case visitorToken = "vt_"
    }

    let kind: Kind
    let plaintext: String

    /// A fresh credential with 192 bits from the system CSPRNG.
    static func generate(_ kind: Kind) -> Credential {
        Credential(kind: kind, plaintext: kind.rawValue + SecureRandom.hex(byteCount: 24))
    }

    /// Reads a presented token; `nil` when it has no known prefix.
    init?(presented token: String) {
        guard let kind = [Kind.ownerKey, .agentToken, .visitorToken].first(where: { token.hasPrefix($0.rawValue) }),
            token.count > kind.rawValue.count, token.count <= 256
        else { return nil }
        self.init(kind: kind, plaintext: token)
    }

    private init(kind: Kind, plaintext: String) {
        self.kind = kind
        self.plaintext = plaintext
    }

    /// Lowercase hex SHA-256 of the plaintext: the only form that reaches the database.
    var hash: String { SHA256.hash(data: Data(plaintext.utf8)).hexString }
}

enum SecureRandom {
    /// `byteCount` bytes from the system CSPRNG as lowercase hex.
    static func hex(byteCount: Int) -> String {
        SymmetricKey(size: .init(bitCount: byteCount * 8)).withUnsafeBytes { Data($0) }.hexString
    }
}

extension Sequence<UInt8> {
    /// Lowercase hexadecimal, two digits a byte.
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// Compares two secrets in time that depends only on their lengths.
func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
    let (left, right) = (Array(lhs.utf8), Array(rhs.utf8))
    guard left.count == right.count else { return false }
    return zip(left, right).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
}
