import AsyncHTTPClient
import Foundation
import NIOCore

/// Fetches the page of a `url` row for a sync: through the address guard at every hop (redirects are
/// followed by hand so each one is checked, and every connection is checked again as it is made), within one
/// deadline for all hops and the whole body, and refusing bodies over `sizeLimit`.
struct PageFetcher: Sendable {
    static let sizeLimit = 5 * 1024 * 1024
    static let redirectLimit = 5

    /// Why a page could not be fetched, as the end of a sentence ("… could not be fetched: it …").
    struct Failure: Error, Equatable {
        let reason: String
    }

    let client: HTTPClient
    let targetGuard: TargetGuard
    let timeout: Duration

    func page(at address: String) async throws(Failure) -> HTMLText {
        do {
            return try await withDeadline(.now + timeout) { try await fetch(address) }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(reason: Self.describe(error))
        }
    }

    private func fetch(_ address: String) async throws(Failure) -> HTMLText {
        guard TargetGuard.isPlainURLText(address), var url = URL(string: address) else {
            throw Failure(reason: "is not a valid URL.")
        }
        let deadline = NIODeadline.now() + .nanoseconds(timeout.nanoseconds)
        for _ in 0...Self.redirectLimit {
            if let refusal = await targetGuard.refusal(for: url) { throw Failure(reason: refusal) }
            var request = HTTPClientRequest(url: url.absoluteString)
            request.headers.add(name: "User-Agent", value: "Switchboard-Sync/1")
            request.headers.add(name: "Accept", value: "text/html, application/xhtml+xml, text/plain;q=0.9")
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
            guard (200..<300).contains(code) else { throw Failure(reason: "answered HTTP \(code).") }
            let contentType = ContentType(response.headers.first(name: "Content-Type"))
            guard contentType.isReadable else {
                throw Failure(reason: "is not an HTML or text page (Content-Type \(contentType.mediaType)).")
            }
            if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length > Self.sizeLimit {
                throw Failure(reason: Self.tooLarge)
            }
            let body = try await Self.collect(response.body)
            if contentType.mediaType == "text/plain" {
                return HTMLText(title: nil, text: String(decoding: body, as: UTF8.self))
            }
            return HTMLText(html: body, charset: contentType.charset ?? "UTF-8")
        }
        throw Failure(reason: "redirected more than \(Self.redirectLimit) times.")
    }

    private static func collect(_ body: HTTPClientResponse.Body) async throws(Failure) -> [UInt8] {
        var bytes: [UInt8] = []
        do {
            for try await chunk in body {
                guard bytes.count + chunk.readableBytes <= sizeLimit else { throw Failure(reason: tooLarge) }
                bytes.append(contentsOf: chunk.readableBytesView)
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(reason: describe(error))
        }
        return bytes
    }

    private static let tooLarge = "is larger than \(sizeLimit / 1024 / 1024) MiB."

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
    private struct ContentType {
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
