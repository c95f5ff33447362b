import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks outbound targets (hook URLs, URL sources) against `AddressGuard`, resolving host names first,
/// unless `--allow-private-targets` lifts the guard.
struct TargetGuard: Sendable {
    let allowPrivateTargets: Bool

    /// The reason `url` may not be reached, as a sentence; `nil` when every address it resolves to is public.
    func refusal(for url: URL) async -> String? {
        guard let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme) else {
            return "must be an http:// or https:// URL."
        }
        guard let host = url.host, !host.isEmpty else { return "must name a host." }
        if allowPrivateTargets { return nil }
        let addresses =
            AddressGuard.ipv4Bytes(host) != nil || AddressGuard.ipv6Bytes(host) != nil
            ? [host] : await Self.resolve(host)
        guard !addresses.isEmpty else { return "names a host that does not resolve: \(host)." }
        for address in addresses {
            if let refusal = AddressGuard.refusal(forAddress: address) {
                return "points at a \(refusal.rawValue) address (\(address)), which is not allowed."
            }
        }
        return nil
    }

    /// Every address `host` resolves to; empty when it does not resolve.
    /// `getaddrinfo` blocks, so it runs off the concurrency pool.
    static func resolve(_ host: String) async -> [String] {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var hints = addrinfo()
                hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
                var list: UnsafeMutablePointer<addrinfo>?
                guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else {
                    continuation.resume(returning: [])
                    return
                }
                defer { freeaddrinfo(first) }
                var addresses: [String] = []
                var node: UnsafeMutablePointer<addrinfo>? = first
                while let entry = node {
                    var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                    if getnameinfo(
                        entry.pointee.ai_addr,
                        entry.pointee.ai_addrlen,
                        &buffer,
                        socklen_t(buffer.count),
                        nil,
                        0,
                        NI_NUMERICHOST
                    ) == 0 {
                        addresses.append(String(cString: buffer))
                    }
                    node = entry.pointee.ai_next
                }
                continuation.resume(returning: addresses)
            }
        }
    }
}
