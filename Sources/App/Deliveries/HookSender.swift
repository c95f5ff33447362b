import AsyncHTTPClient
import Foundation
import NIOCore

/// Sends one signed POST to a hook's target with the headers of DESIGN.md §5 and reports what came of it.
/// Never throws: every failure is an `AttemptResult` with an error. One deadline covers connecting, the
/// headers and the body, of which at most `responseBodyLimit` bytes are read.
struct HookSender: Sendable {
    static let responseBodyLimit = 4096

    let client: HTTPClient
    let targetGuard: TargetGuard
    let timeout: Duration

    func send(deliveryID: String, event: String, payload: Data, hook: Hook, attempt: Int) async -> AttemptResult {
        let attemptedAt = Timestamp.now()
        let started = ContinuousClock.now
        func result(
            code: Int? = nil,
            error: String? = nil,
            body: String? = nil,
            retryAfter: Int? = nil
        ) -> AttemptResult {
            let elapsed = ContinuousClock.now - started
            return AttemptResult(
                attemptedAt: attemptedAt,
                responseCode: code,
                latencyMs: Double(elapsed.nanoseconds) / 1e6,
                error: error,
                responseBody: body,
                retryAfter: retryAfter
            )
        }
        guard let target = hook.targetUrl, let url = URL(string: target) else {
            return result(error: "The hook has no target URL.")
        }
        // The addresses are checked when the connection is made (TargetGuard): a name may have been pointed
        // somewhere private since the hook was created.
        if let refusal = TargetGuard.shapeRefusal(url) {
            return result(error: "The target was refused: it \(refusal)")
        }
        let timestamp = Int64(Date().timeIntervalSince1970)
        var request = HTTPClientRequest(url: target)
        request.method = .POST
        // The hook's own headers first: none of them may have a name of ours (HookOptions.headers).
        for (name, value) in (hook.headers ?? [:]).sorted(by: { $0.key < $1.key }) {
            request.headers.add(name: name, value: value)
        }
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Switchboard-Hooks/1")
        request.headers.add(name: "X-Secret-Key", value: hook.secret)
        request.headers.add(name: "webhook-id", value: deliveryID)
        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
        // During a rotation's overlap, one signature per valid secret, newest first (Standard Webhooks).
        request.headers.add(
            name: "webhook-signature",
            value: hook.signingSecrets(at: .now()).map {
                Signature.sign(id: deliveryID, timestamp: timestamp, body: Array(payload), secret: $0)
            }.joined(separator: " ")
        )
        request.headers.add(name: "X-Switchboard-Event", value: event)
        request.headers.add(name: "X-Switchboard-Attempt", value: String(attempt))
        request.body = .bytes(ByteBuffer(bytes: payload))
        do {
            let (response, body) = try await withDeadline(started + timeout) { [client, request, timeout] in
                let response = try await client.execute(request, timeout: .nanoseconds(timeout.nanoseconds))
                var body: [UInt8] = []
                for try await chunk in response.body {
                    body.append(contentsOf: chunk.readableBytesView.prefix(Self.responseBodyLimit - body.count))
                    if body.count >= Self.responseBodyLimit { break }  // the rest is not ours to keep
                }
                return (response, body)
            }
            let code = Int(response.status.code)
            let retryAfter =
                [429, 503].contains(code)
                ? response.headers.first(name: "Retry-After").flatMap { Self.seconds(retryAfter: $0) } : nil
            return result(code: code, body: String(decoding: body, as: UTF8.self), retryAfter: retryAfter)
        } catch {
            return result(error: Self.describe(error))
        }
    }

    /// `Retry-After` as seconds from now: a number of seconds or an HTTP date.
    static func seconds(retryAfter value: String) -> Int? {
        if let seconds = Int(value.trimmingCharacters(in: .whitespaces)) { return max(0, seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: value).map { max(0, Int($0.timeIntervalSinceNow.rounded(.up))) }
    }

    /// A sentence for `lastError`, without internals.
    static func describe(_ error: any Error) -> String {
        if let refused = error as? TargetGuard.RefusedConnection { return "The target was refused: it \(refused)." }
        if error is DeadlineExceeded { return "The target did not answer within the delivery timeout." }
        guard let error = error as? HTTPClientError else { return "Could not reach the target: \(error)." }
        switch error {
        case .deadlineExceeded, .readTimeout, .connectTimeout:
            return "The target did not answer within the delivery timeout."
        case .remoteConnectionClosed:
            return "The target closed the connection before answering."
        default:
            return "The request failed: \(error)."
        }
    }
}
