import Foundation
import Hummingbird
import Testing

@testable import App

@Suite struct ConversationStateTests {
    @Test(arguments: [
        ("web", true, nil),
        ("web", false, "This bot does not have human takeover enabled."),
        ("api", true, "Only conversations on the web channel can be handed to a human."),
        ("api", false, "Only conversations on the web channel can be handed to a human."),
    ])
    func onlyAWebConversationOfABotWithTakeoverOnMayAskForAHuman(channel: String, takeover: Bool, refusal: String?) {
        do {
            try ConversationState.checkEscalation(channelType: channel, humanTakeoverEnabled: takeover)
            #expect(refusal == nil)
        } catch {
            #expect(error.code == .escalationUnavailable && error.message == refusal)
        }
    }

    @Test func theTransitionTable() throws {
        let table: [(ConversationState, ConversationState.Transition, ConversationState?)] = [
            (.bot, .escalate, .escalated), (.bot, .claim, nil), (.bot, .release, nil),
            (.escalated, .escalate, nil), (.escalated, .claim, .active), (.escalated, .release, nil),
            (.active, .escalate, nil), (.active, .claim, nil), (.active, .release, .resolved),
            (.resolved, .escalate, .escalated), (.resolved, .claim, nil), (.resolved, .release, nil),
        ]
        for (from, transition, to) in table {
            if let to {
                #expect(try from.applying(transition) == to)
            } else {
                #expect(throws: AppError.self) { try from.applying(transition) }
            }
        }
    }

    @Test func onlyTheClaimingAgentOrAnOwnerMayRelease() {
        #expect(throws: Never.self) { try ConversationState.checkRelease(by: .owner, claimedBy: "a1") }
        #expect(throws: Never.self) { try ConversationState.checkRelease(by: .agent(id: "a1"), claimedBy: "a1") }
        #expect { try ConversationState.checkRelease(by: .agent(id: "a2"), claimedBy: "a1") } throws: {
            ($0 as? AppError)?.code == .notClaimingAgent
        }
    }

    @Test(arguments: [
        (ConversationState.active, "a1", nil), (.active, "a2", AppError.Code.notClaimingAgent),
        (.escalated, "a1", .conversationNotActive), (.resolved, "a1", .conversationNotActive),
        (.bot, "a1", .conversationNotActive),
    ])
    func onlyTheClaimingAgentRepliesAndOnlyWhileActive(state: ConversationState, agent: String, refusal: AppError.Code?)
    {
        do {
            try state.checkAgentReply(by: agent, claimedBy: "a1")
            #expect(refusal == nil)
        } catch {
            #expect(error.code == refusal)
        }
    }
}
