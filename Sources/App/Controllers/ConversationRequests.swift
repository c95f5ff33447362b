import Foundation
import Hummingbird

/// Request bodies and rules shared by the visitor's and the staff's conversation routes.
enum ConversationRequests {
    struct StartBody: Decodable {
        let channelType: String?
        let initialMessage: String?
        let userData: JSONValue?
    }

    struct MessageBody: Decodable {
        let text: String
    }

    struct EscalateBody: Decodable {
        let userEmail: String
        let userData: JSONValue?
    }

    /// `{"typing": false}` says the typing stopped; no body (or `true`) that it goes on.
    struct TypingBody: Decodable {
        let typing: Bool?
    }

    struct TransferBody: Decodable {
        let agentId: String
    }

    struct RatingBody: Decodable {
        let score: Double
        let comment: String?
    }

    /// Whether a typing request says typing goes on: an empty body does.
    static func typing(_ request: Request, context: AppRequestContext) async throws -> Bool {
        guard request.headers[.contentType] != nil else { return true }
        return try await request.decodeJSON(as: TypingBody.self, context: context).typing ?? true
    }

    static let ratingScores = 1...5
    static let maximumRatingCommentLength = 2000

    /// A rating's score (a whole 1–5) and optional comment (blank counts as none).
    static func rating(_ body: RatingBody) throws(AppError) -> (score: Int, comment: String?) {
        let score = try Validate.wholeNumber(body.score, ratingScores, field: "score")
        guard let comment = body.comment?.trimmingCharacters(in: .whitespacesAndNewlines), !comment.isEmpty else {
            return (score, nil)
        }
        guard comment.count <= maximumRatingCommentLength else {
            throw .invalidField("comment", "comment must be at most \(maximumRatingCommentLength) characters.")
        }
        return (score, comment)
    }

    static let maximumMessageLength = 10_000

    /// Validates a start request; `channel` is forced for the public widget.
    static func newConversation(_ body: StartBody, requiredChannel: String?) throws(AppError) -> NewConversation {
        let channel = body.channelType ?? requiredChannel ?? ""
        if let requiredChannel, channel != requiredChannel {
            throw .invalidField("channelType", "Visitors start conversations on the \"\(requiredChannel)\" channel.")
        }
        guard (1...50).contains(channel.count),
            channel.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
        else {
            throw .invalidField("channelType", "channelType must be 1 to 50 letters, digits, _ or -, like \"slack\".")
        }
        var new = NewConversation(channelType: channel)
        if let initialMessage = body.initialMessage {
            new.initialMessage = try text(initialMessage, field: "initialMessage")
        }
        if let given = body.userData { new.userData = try userData(given) }
        return new
    }

    static func text(_ value: String, field: String = "text") throws(AppError) -> String {
        guard !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, value.count <= maximumMessageLength else {
            throw .invalidField(field, "\(field) must be 1 to \(maximumMessageLength) characters, not all blank.")
        }
        return value
    }

    /// `userData` must be a JSON object of at most 16 KiB.
    static func userData(_ value: JSONValue) throws(AppError) -> Data {
        guard case .object = value, let data = try? HookEvent.encode(value), data.count <= 16 * 1024 else {
            throw .invalidField("userData", "userData must be a JSON object of at most 16 KiB.")
        }
        return data
    }

    /// `?limit=` and `?cursor=` of a transcript: the cursor is the last message's sequence number.
    static func transcriptPage(_ request: Request) throws(AppError) -> (after: Int64?, limit: Int) {
        let (limit, after) = try request.pageBounds()
        guard let after else { return (nil, limit) }
        guard after.hasPrefix("m:"), let seq = Int64(after.dropFirst(2)) else { throw Cursor.invalid }
        return (seq, limit)
    }

    static func transcript(_ messages: [Message], next: Int64?, for audience: Audience) -> Page<MessageResponse> {
        Page(
            data: messages.map { MessageResponse(message: $0, audience: audience) },
            nextCursor: next.map { Cursor.encode("m:\($0)") }
        )
    }
}
