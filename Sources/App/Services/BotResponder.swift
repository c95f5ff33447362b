import Foundation
import Logging

/// The bot's side of a conversation: answers a visitor from the bot's synced documents, in `Bot` and
/// `Resolved` only, and says so when it does not know.
struct BotResponder: Sendable {
    /// Candidates read from the index for each question.
    static let candidateLimit = 5
    /// Passages quoted in one reply (from different rows).
    static let passageLimit = 2
    /// A passage answers only if it holds at least this share of the question's words.
    static let minimumCoverage = 0.5
    /// The longest passage quoted as it is.
    static let quoteLimit = 700

    let database: AppDatabase
    /// Writes the reply from the passages when an LLM is configured.
    let generator: AnswerGenerator?
    let logger: Logger

    /// Replies to `question` in `conversation`, unless a human has it (nil: the bot stays silent).
    func reply(to question: String, in conversation: Conversation) async throws -> Message? {
        guard conversation.state.botAnswers else { return nil }
        let bot = try await database.bot(id: conversation.botId, workspaceID: conversation.workspaceId)
        let passages = try await relevantPassages(for: question, botID: bot.id)
        let text: String
        if passages.isEmpty {
            text = Self.dontKnow(offeringHuman: bot.humanTakeoverEnabled && conversation.channelType == "web")
        } else {
            text = await compose(question: question, passages: passages, botName: bot.name)
        }
        return try await database.postBotReply(
            conversationID: conversation.id,
            text: text,
            sources: passages.map(\.source)
        )
    }

    /// The best passages that answer enough of the question, one per row.
    func relevantPassages(for question: String, botID: String) async throws -> [Passage] {
        let candidates = try await database.search(
            botID: botID,
            terms: SearchTerms(question),
            limit: Self.candidateLimit
        )
        var rows = Set<String>()
        return Array(
            candidates.filter {
                $0.coverage >= Self.minimumCoverage
                    && rows.insert("\($0.source.dataSourceId)/\($0.source.rowKey)").inserted
            }
            .prefix(Self.passageLimit)
        )
    }

    private func compose(question: String, passages: [Passage], botName: String) async -> String {
        let sources = Self.sourcesLine(passages)
        if let generator {
            do {
                let answer = try await generator.answer(question: question, passages: passages, botName: botName)
                return "\(answer)\n\n\(sources)"
            } catch {
                logger.warning("LLM answer failed; replying with the passages", metadata: ["error": "\(error)"])
            }
        }
        return (passages.map { Self.quote($0.text) } + [sources]).joined(separator: "\n\n")
    }

    static func dontKnow(offeringHuman: Bool) -> String {
        offeringHuman
            ? "Sorry, I don't know the answer to that. Would you like to talk to a person? "
                + "Choose “Talk to a human” and leave your email, and someone from the team will join."
            : "Sorry, I don't know the answer to that. Could you put it another way?"
    }

    /// "Sources: Returns policy; Shipping (https://…)".
    static func sourcesLine(_ passages: [Passage]) -> String {
        let names = passages.map { passage in
            let name = passage.source.title ?? passage.source.rowKey
            return passage.source.url.map { "\(name) (\($0))" } ?? name
        }
        return "Sources: " + names.joined(separator: "; ")
    }

    /// A passage as quoted in a reply: whole when short, else cut at the last sentence (or word) that fits.
    static func quote(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.count > quoteLimit else { return trimmed }
        let head = trimmed.prefix(quoteLimit)
        if let end = head.lastIndex(where: { ".!?".contains($0) }),
            head.distance(from: head.startIndex, to: end) > quoteLimit / 2
        {
            return String(head[...end])
        }
        let cut = head.lastIndex(where: \.isWhitespace) ?? head.endIndex
        return head[..<cut] + "…"
    }
}
