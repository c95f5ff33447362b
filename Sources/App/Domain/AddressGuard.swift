#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decides whether an outbound target may be reached: hooks and URL sources must not be turned against
/// the server's own network (loopback, private ranges, link-local, CGNAT, multicast, metadata services).
///
/// Addresses embedding an IPv4 address (IPv4-mapped, IPv4-translated, IPv4-compatible, NAT64, 6to4, Teredo)
/// are judged by it.
enum AddressGuard {
    /// Why an address is refused, for error messages.
    enum Refusal: String, Sendable, Equatable {
        case unspecified, loopback, privateNetwork = "private network", linkLocal = "link-local"
        case sharedAddressSpace = "carrier-grade NAT", multicast, reserved, metadata = "cloud metadata service"
    }

    /// The reason `address` (a literal IPv4 or IPv6 address) may not be reached; `nil` when it is public.
    /// Text that is not an IP address is refused as reserved: callers pass only resolved addresses.
    static func refusal(forAddress address: String) -> Refusal? {
        let literal =
            address.hasPrefix("[") && address.hasSuffix("]") ? String(address.dropFirst().dropLast()) : address
        if let bytes = ipv4Bytes(literal) { return refusal(ipv4: bytes) }
        if let bytes = ipv6Bytes(literal) { return refusal(ipv6: bytes) }
        return .reserved
    }

    static func refusal(ipv4 b: [UInt8]) -> Refusal? {
        switch (b[0], b[1], b[2], b[3]) {
        case (0, _, _, _): .unspecified
        case (127, _, _, _): .loopback
        case (10, _, _, _), (172, 16...31, _, _), (192, 168, _, _): .privateNetwork
        case (169, 254, 169, 254): .metadata
        case (169, 254, _, _): .linkLocal
        case (100, 100, 100, 200): .metadata
        case (100, 64...127, _, _): .sharedAddressSpace
        case (224...239, _, _, _): .multicast
        // IETF protocol assignments, documentation, benchmarking, reserved and broadcast.
        case (192, 0, 0, _), (192, 0, 2, _), (198, 51, 100, _), (203, 0, 113, _), (198, 18...19, _, _),
            (240...255, _, _, _):
            .reserved
        default: nil
        }
    }

    static func refusal(ipv6 b: [UInt8]) -> Refusal? {
        let firstTen = b[0..<10].allSatisfy { $0 == 0 }
        if firstTen && b[10] == 0xff && b[11] == 0xff {  // ::ffff:a.b.c.d
            return refusal(ipv4: Array(b[12..<16]))
        }
        if b[0..<8].allSatisfy({ $0 == 0 }) && b[8] == 0xff && b[9] == 0xff && b[10] == 0 && b[11] == 0 {
            return refusal(ipv4: Array(b[12..<16]))  // ::ffff:0:a.b.c.d, IPv4-translated (SIIT)
        }
        if b[0..<12].allSatisfy({ $0 == 0 }) {
            if b[12..<15].allSatisfy({ $0 == 0 }) {
                return b[15] == 0 ? .unspecified : b[15] == 1 ? .loopback : .reserved
            }
            return refusal(ipv4: Array(b[12..<16]))  // ::a.b.c.d, IPv4-compatible
        }
        if b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b {  // 64:ff9b::/96 NAT64
            return refusal(ipv4: Array(b[12..<16]))
        }
        if b[0] == 0x20 && b[1] == 0x02 {  // 2002::/16 6to4
            return refusal(ipv4: Array(b[2..<6]))
        }
        if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00 {  // 2001::/32 Teredo
            // The server's IPv4 address in clear, the client's inverted: either may point inside.
            return refusal(ipv4: Array(b[4..<8])) ?? refusal(ipv4: b[12..<16].map { ~$0 })
        }
        if b[0] == 0xfd && b[1] == 0x00 && b[2] == 0x0e && b[3] == 0xc2 { return .metadata }  // fd00:ec2::/32
        switch b[0] {
        case 0xfc, 0xfd: return .privateNetwork  // fc00::/7 unique local
        case 0xff: return .multicast
        case 0xfe where b[1] & 0xc0 == 0x80: return .linkLocal  // fe80::/10
        case 0xfe where b[1] & 0xc0 == 0xc0: return .privateNetwork  // fec0::/10 site-local (deprecated)
        default: break
        }
        if b[0] == 0x01 && b[1] == 0x00 && b[2..<8].allSatisfy({ $0 == 0 }) { return .reserved }  // 100::/64 discard
        if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8 { return .reserved }  // 2001:db8::/32 docs
        return nil
    }

    static func ipv4Bytes(_ text: String) -> [UInt8]? {
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }

    static func ipv6Bytes(_ text: String) -> [UInt8]? {
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }
}
