import Foundation
import Hummingbird
import NIOCore
import Synchronization
import Testing

@testable import App

/// A real HTTP server on 127.0.0.1 that records what hooks send it and answers as a test tells it to. Every body
/// it receives is checked against its event's schema in the hook catalogue (`openapi.yaml`'s payload components):
/// a test whose deliveries break their schema fails.
final class TestReceiver: Sendable {
    struct Received: Sendable {
        let headers: HTTPFields
        let body: String
        let receivedAt: ContinuousClock.Instant

        func header(_ name: String) -> String? {
            headers.first { $0.name.canonicalName == name.lowercased() }?.value
        }
    }

    /// How to answer the n-th request (1-based): a status, extra headers, and a delay before answering.
    struct Answer: Sendable {
        var status: HTTPResponse.Status = .ok
        var headers: HTTPFields = [:]
        var delay: Duration = .zero
        var body = "ok"
        /// Sends the headers at once, then the body one byte each `trickle` (a target that holds its caller).
        var trickle: Duration?
    }

    /// A request answered: its delivery and the status it got.
    struct Answered: Sendable {
        let deliveryID: String
        let status: Int
    }

    private let received = Mutex<[Received]>([])
    private let answers = Mutex<[Answered]>([])
    private let answer: @Sendable (Int, Received) -> Answer

    init(answer: @escaping @Sendable (Int) -> Answer = { _ in Answer() }) {
        self.answer = { number, _ in answer(number) }
    }

    /// Answers by the request's number and what it carried.
    init(answeringRequest answer: @escaping @Sendable (Int, Received) -> Answer) {
        self.answer = answer
    }

    /// Every request answered so far, in the order the answers were chosen.
    var answered: [Answered] { answers.withLock { $0 } }

    var requests: [Received] { received.withLock { $0 } }

    /// What received bodies broke their event's schema.
    var schemaViolations: [String] {
        requests.flatMap { request -> [String] in
            guard let event = request.header("X-Switchboard-Event").flatMap(HookType.init(rawValue:)),
                let schema = HookCatalog.entry(for: event).schema
            else { return [] }  // `test` sends, and requests that are not deliveries
            guard let body = try? JSONDecoder().decode(JSONValue.self, from: Data(request.body.utf8)) else {
                return ["\(event.rawValue): the body is not JSON"]
            }
            return JSONSchemaValidator.violations(of: body, against: schema).map { "\(event.rawValue) \($0)" }
        }
    }

    /// Runs `body` while the receiver listens; passes the URL to point hooks at.
    func run<Value: Sendable>(_ body: @Sendable (String) async throws -> Value) async throws -> Value {
        let router = Router()
        router.post("hook") { request, _ -> Response in
            let text = String(buffer: try await request.body.collect(upTo: 1 << 20))
            let received = Received(headers: request.headers, body: text, receivedAt: .now)
            let number = self.received.withLock {
                $0.append(received)
                return $0.count
            }
            let answer = self.answer(number, received)
            self.answers.withLock {
                $0.append(Answered(deliveryID: received.header("webhook-id") ?? "", status: Int(answer.status.code)))
            }
            if answer.delay > .zero { try await Task.sleep(for: answer.delay) }
            if let trickle = answer.trickle {
                return Response(
                    status: answer.status,
                    headers: answer.headers,
                    body: .init { writer in
                        for byte in answer.body.utf8 {
                            try await writer.write(ByteBuffer(bytes: [byte]))
                            try await Task.sleep(for: trickle)
                        }
                        try await writer.finish(nil)
                    }
                )
            }
            return Response(
                status: answer.status,
                headers: answer.headers,
                body: .init(byteBuffer: ByteBuffer(string: answer.body))
            )
        }
        let value = try await withLocalServer(router) { base in try await body("\(base)/hook") }
        let violations = schemaViolations
        #expect(violations.isEmpty, "delivered payloads break their schema: \(violations)")
        return value
    }

    /// Waits until `count` requests have arrived, or fails after `timeout`.
    func waitForRequests(_ count: Int, timeout: Duration = .seconds(15)) async throws -> [Received] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let requests = self.requests
            if requests.count >= count { return requests }
            try await Task.sleep(for: .milliseconds(20))
        }
        let requests = self.requests  // one last look: a request may have landed during the last sleep
        if requests.count >= count { return requests }
        throw ReceiverTimedOut(expected: count, got: requests.count)
    }

    struct ReceiverTimedOut: Error {
        let expected: Int
        let got: Int
    }
}
