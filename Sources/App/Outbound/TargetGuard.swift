import Foundation
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps outbound requests (hook deliveries, test sends, `url` pages, every redirect hop) off the server's
/// own network, unless `--allow-private-targets` lifts the guard. Two checks (DESIGN.md §5):
/// - when a target is given, its host's addresses are resolved and each is judged by `AddressGuard`, so a
///   refused target is a clear 422;
/// - when a connection is made, the address it actually reached is judged again, before a byte of the
///   request is written (`refuseConnection`). A name that answered a public address first and a private one
///   at connect time (DNS rebinding) is refused there: the attempt fails and nothing is sent.
struct TargetGuard: Sendable {
    let allowPrivateTargets: Bool
    var resolver = HostResolver.system

    /// The reason `url` may not be reached, as a sentence; `nil` when every address it resolves to is public.
    func refusal(for url: URL) async -> String? {
        if let refusal = Self.shapeRefusal(url) { return refusal }
        if allowPrivateTargets { return nil }
        let host = url.host ?? ""
        let addresses =
            AddressGuard.ipv4Bytes(host) != nil || AddressGuard.ipv6Bytes(host) != nil
            ? [host] : await resolver.resolve(host)
        guard !addresses.isEmpty else { return "names a host that does not resolve: \(host)." }
        for address in addresses {
            if let refusal = AddressGuard.refusal(forAddress: address) {
                return "points at a \(refusal.rawValue) address (\(address)), which is not allowed."
            }
        }
        return nil
    }

    /// What is wrong with the URL itself, whatever its host resolves to.
    static func shapeRefusal(_ url: URL) -> String? {
        guard let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme) else {
            return "must be an http:// or https:// URL."
        }
        guard let host = url.host, !host.isEmpty else { return "must name a host." }
        return nil
    }

    /// Whether `text` may be taken as a URL at all: no spaces or control characters anywhere (Foundation
    /// would quietly percent-encode some of them into a different URL).
    static func isPlainURLText(_ text: String) -> Bool {
        !text.unicodeScalars.contains { $0.value <= 0x20 || $0.value == 0x7F || $0.properties.isWhitespace }
    }

    /// The connect-time check, for the HTTP client's connection initializers: fails (and closes the channel)
    /// when the peer's address is refused.
    func refuseConnection(_ channel: any Channel) -> EventLoopFuture<Void> {
        guard !allowPrivateTargets else { return channel.eventLoop.makeSucceededVoidFuture() }
        let address = channel.remoteAddress?.ipAddress ?? "an unknown address"
        guard let refusal = AddressGuard.refusal(forAddress: address) else {
            return channel.eventLoop.makeSucceededVoidFuture()
        }
        channel.close(promise: nil)
        return channel.eventLoop.makeFailedFuture(RefusedConnection(address: address, refusal: refusal))
    }

    /// A connection reached an address the guard refuses; nothing was sent on it.
    struct RefusedConnection: Error, CustomStringConvertible {
        let address: String
        let refusal: AddressGuard.Refusal

        var description: String {
            "connected to a \(refusal.rawValue) address (\(address)), which is not allowed; nothing was sent"
        }
    }
}

/// How host names become addresses for the guard's first check: `getaddrinfo`, or in tests a resolver the
/// test controls (a name that answers differently on each lookup).
struct HostResolver: Sendable {
    let resolve: @Sendable (String) async -> [String]
    /// Where connections to a name go instead of where the system would resolve it (AsyncHTTPClient's DNS
    /// override): how a test makes a name answer one address to the guard and another at connect time.
    var connectOverrides: [String: String] = [:]

    static let system = HostResolver { host in await systemResolve(host) }

    /// Every address `host` resolves to; empty when it does not resolve.
    /// `getaddrinfo` blocks, so it runs off the concurrency pool.
    private static func systemResolve(_ host: String) async -> [String] {
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
                        let text = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
                        addresses.append(String(decoding: text, as: UTF8.self))
                    }
                    node = entry.pointee.ai_next
                }
                continuation.resume(returning: addresses)
            }
        }
    }
}
