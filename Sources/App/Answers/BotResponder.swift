import Foundation
import Logging

/// A bot message not yet stored.
struct BotReply: Sendable {
    let text: String
    let sources: [MessageSource]
}

/// The bot's side of a conversation: answers a visitor from the bot's synced documents, in `Bot` and
/// `Resolved` only, and says so when it does not know.
struct BotResponder: Sendable {
    /// Candidates retrieved for each question.
    static let candidateLimit = 5
    /// Passages quoted in one reply (from different rows).
    static let passageLimit = 2
    /// The longest passage quoted as it is.
    static let quoteLimit = 700

    let store: any Store
    let retriever: Retriever
    /// Writes the reply from the passages when an LLM is configured.
    let generator: AnswerGenerator?
    let logger: Logger

    /// The bot's reply to `question`, written before it is stored so that the question and its answer
    /// commit together. `workspaceID` nil: the public routes.
    func reply(to question: String, botID: String, workspaceID: String?, channelType: String) async throws -> BotReply {
        try await botAndReply(to: question, botID: botID, workspaceID: workspaceID, channelType: channelType).reply
    }

    /// The bot a new conversation starts with, read once for both the reply to its initial message, if it has
    /// one, and the conversation.
    func opening(
        _ new: NewConversation,
        botID: String,
        workspaceID: String?
    ) async throws -> (bot: Bot, reply: BotReply?) {
        guard let question = new.initialMessage else {
            return (try await store.bot(id: botID, workspaceID: workspaceID), nil)
        }
        return try await botAndReply(to: question, botID: botID, workspaceID: workspaceID, channelType: new.channelType)
    }

    private func botAndReply(
        to question: String,
        botID: String,
        workspaceID: String?,
        channelType: String
    ) async throws -> (bot: Bot, reply: BotReply) {
        let (bot, candidates) = try await retriever.passages(
            for: question,
            botID: botID,
            workspaceID: workspaceID,
            limit: Self.candidateLimit
        )
        return (bot, await reply(to: question, from: candidates, bot: bot, channelType: channelType))
    }

    private func reply(to question: String, from candidates: [Passage], bot: Bot, channelType: String) async -> BotReply
    {
        let passages = Self.relevant(candidates)
        guard !passages.isEmpty else {
            return BotReply(
                text: Self.dontKnow(offeringHuman: bot.humanTakeoverEnabled && channelType == "web"),
                sources: []
            )
        }
        return BotReply(
            text: await compose(question: question, passages: passages, botName: bot.name),
            sources: passages.map(\.source)
        )
    }

    /// The best candidates that answer the question, one per row.
    static func relevant(_ candidates: [Passage]) -> [Passage] {
        var rows = Set<String>()
        return Array(
            candidates.filter {
                $0.answers && rows.insert("\($0.source.dataSourceId)/\($0.source.rowKey)").inserted
            }
            .prefix(passageLimit)
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
