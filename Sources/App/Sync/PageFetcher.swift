import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Fetches what a sync reads — the pages of `url` rows, sitemaps, robots.txt — through the address guard at every
/// hop (redirects are followed by hand so each one is checked, and every connection is checked again as it is
/// made), within one deadline for all hops and the whole body, and refusing bodies over a size limit.
struct PageFetcher: Sendable {
    static let sizeLimit = 5 * 1024 * 1024
    static let redirectLimit = 5
    static let userAgent = "Switchboard-Sync/1"
    /// The product token robots.txt groups name.
    static let robotsToken = "Switchboard-Sync"

    /// Why something could not be fetched, as the end of a sentence ("… could not be fetched: it …").
    struct Failure: Error, Equatable {
        let reason: String
    }

    /// A page as a sync reads it.
    enum PageResult: Sendable, Equatable {
        /// Its text, and the validators to send next time.
        case page(HTMLText, PageValidators)
        /// 304: unchanged since the validators were given; nothing was downloaded.
        case notModified
        /// 404 or 410.
        case gone(Int)
    }

    /// A response whose body was read whole (nothing for a 304).
    struct Fetched: Sendable {
        let url: URL
        let status: Int
        let headers: HTTPHeaders
        let body: [UInt8]
    }

    let client: HTTPClient
    let targetGuard: TargetGuard
    let timeout: Duration

    /// The page at `address`, asked only if it changed since `validators`.
    func page(at address: String, validators: PageValidators = PageValidators()) async throws(Failure) -> PageResult {
        let fetched = try await fetch(
            address,
            accept: "text/html, application/xhtml+xml, text/plain;q=0.9",
            validators: validators,
            sizeLimit: Self.sizeLimit
        )
        switch fetched.status {
        case 304 where !validators.isEmpty: return .notModified
        case 404, 410: return .gone(fetched.status)
        case 200..<300: break
        default: throw Failure(reason: "answered HTTP \(fetched.status).")
        }
        let contentType = ContentType(fetched.headers.first(name: "Content-Type"))
        guard contentType.isReadable else {
            throw Failure(reason: "is not an HTML or text page (Content-Type \(contentType.mediaType)).")
        }
        let next = PageValidators(
            etag: fetched.headers.first(name: "ETag"),
            lastModified: fetched.headers.first(name: "Last-Modified")
        )
        if contentType.mediaType == "text/plain" {
            return .page(HTMLText(title: nil, text: String(decoding: fetched.body, as: UTF8.self)), next)
        }
        return .page(HTMLText(html: fetched.body, charset: contentType.charset ?? "UTF-8"), next)
    }

    /// Whatever `address` answers (after redirects), its body read whole up to `sizeLimit`.
    func fetch(
        _ address: String,
        accept: String,
        validators: PageValidators = PageValidators(),
        sizeLimit: Int
    ) async throws(Failure) -> Fetched {
        do {
            return try await withDeadline(.now + timeout) {
                try await follow(address, accept: accept, validators: validators, sizeLimit: sizeLimit)
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(reason: Self.describe(error))
        }
    }

    private func follow(
        _ address: String,
        accept: String,
        validators: PageValidators,
        sizeLimit: Int
    ) async throws(Failure) -> Fetched {
        guard TargetGuard.isPlainURLText(address), var url = URL(string: address) else {
            throw Failure(reason: "is not a valid URL.")
        }
        let deadline = NIODeadline.now() + .nanoseconds(timeout.nanoseconds)
        for _ in 0...Self.redirectLimit {
            if let refusal = await targetGuard.refusal(for: url) { throw Failure(reason: refusal) }
            var request = HTTPClientRequest(url: url.absoluteString)
            request.headers.add(name: "User-Agent", value: Self.userAgent)
            request.headers.add(name: "Accept", value: accept)
            if let etag = validators.etag { request.headers.add(name: "If-None-Match", value: etag) }
            if let lastModified = validators.lastModified {
                request.headers.add(name: "If-Modified-Since", value: lastModified)
            }
            let response: HTTPClientResponse
            do {
                response = try await client.execute(request, deadline: deadline)
            } catch {
                throw Failure(reason: Self.describe(error))
            }
            let code = Int(response.status.code)
            if [301, 302, 303, 307, 308].contains(code) {
                guard let location = response.headers.first(name: "Location"),
                    let next = URL(string: location, relativeTo: url)?.absoluteURL
                else { throw Failure(reason: "answered HTTP \(code) without a usable Location.") }
                _ = try? await response.body.collect(upTo: 64 * 1024)  // frees the connection for reuse
                url = next
                continue
            }
            guard (200..<300).contains(code) else {
                _ = try? await response.body.collect(upTo: 64 * 1024)
                return Fetched(url: url, status: code, headers: response.headers, body: [])
            }
            if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length > sizeLimit {
                throw Failure(reason: Self.tooLarge(sizeLimit))
            }
            let body = try await Self.collect(response.body, sizeLimit: sizeLimit)
            return Fetched(url: url, status: code, headers: response.headers, body: body)
        }
        throw Failure(reason: "redirected more than \(Self.redirectLimit) times.")
    }

    private static func collect(_ body: HTTPClientResponse.Body, sizeLimit: Int) async throws(Failure) -> [UInt8] {
        var bytes: [UInt8] = []
        do {
            for try await chunk in body {
                guard bytes.count + chunk.readableBytes <= sizeLimit else { throw Failure(reason: tooLarge(sizeLimit)) }
                bytes.append(contentsOf: chunk.readableBytesView)
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(reason: describe(error))
        }
        return bytes
    }

    private static func tooLarge(_ limit: Int) -> String { "is larger than \(limit / 1024 / 1024) MiB." }

    private static func describe(_ error: any Error) -> String {
        if let refused = error as? TargetGuard.RefusedConnection { return "\(refused)." }
        if error is DeadlineExceeded { return "did not answer within the fetch timeout." }
        return switch error as? HTTPClientError {
        case .deadlineExceeded?, .readTimeout?, .connectTimeout?: "did not answer within the fetch timeout."
        case .remoteConnectionClosed?: "closed the connection before answering."
        default: "could not be reached (\(error))."
        }
    }

    /// The parts of a `Content-Type` header that decide how a page is read.
    struct ContentType {
        let mediaType: String
        let charset: String?

        init(_ header: String?) {
            let parts = (header ?? "text/html").split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            mediaType = parts.first?.lowercased() ?? "text/html"
            charset = parts.dropFirst().first { $0.lowercased().hasPrefix("charset=") }
                .map {
                    String($0.dropFirst("charset=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
                }
        }

        var isReadable: Bool { ["text/html", "application/xhtml+xml", "text/plain"].contains(mediaType) }
    }
}
