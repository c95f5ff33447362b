import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

@testable import App

/// A Server-Sent Events client over a real socket: reads a stream frame by frame.
/// The request's deadline bounds the whole stream, so a frame that never comes fails the test, not hangs it.
final class EventStreamReader {
    struct Frame: Equatable {
        var event: String?
        var data: String
        /// A comment line (`: heartbeat`), for the heartbeat frames.
        var comment: String?

        /// The frame's JSON data.
        var json: JSONValue { get throws { try JSONDecoder().decode(JSONValue.self, from: Data(data.utf8)) } }
    }

    let status: HTTPResponseStatus
    let headers: HTTPHeaders
    private var body: HTTPClientResponse.Body.AsyncIterator
    private var buffer = ""

    init(url: String, token: String?, deadline: Duration = .seconds(10)) async throws {
        var request = HTTPClientRequest(url: url)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.headers.add(name: "Accept", value: "text/event-stream")
        let response = try await HTTPClient.shared.execute(request, timeout: .nanoseconds(deadline.nanoseconds))
        status = response.status
        headers = response.headers
        body = response.body.makeAsyncIterator()
    }

    /// The next frame, or nil when the server ended the stream.
    func next() async throws -> Frame? {
        while true {
            if let end = buffer.range(of: "\n\n") {
                let text = String(buffer[..<end.lowerBound])
                buffer = String(buffer[end.upperBound...])
                return Self.parse(text)
            }
            guard let chunk = try await body.next() else { return nil }
            buffer += String(buffer: chunk)
        }
    }

    /// The next frame that is an event (heartbeats skipped).
    func nextEvent() async throws -> Frame? {
        while let frame = try await next() {
            if frame.event != nil { return frame }
        }
        return nil
    }

    private static func parse(_ text: String) -> Frame {
        var frame = Frame(data: "")
        var data: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(":") {
                frame.comment = line.dropFirst().trimmingCharacters(in: .whitespaces)
                continue
            }
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            switch parts.first {
            case "event": frame.event = parts.count > 1 ? parts[1] : ""
            case "data": data.append(parts.count > 1 ? parts[1] : "")
            default: break
            }
        }
        frame.data = data.joined(separator: "\n")
        return frame
    }
}
