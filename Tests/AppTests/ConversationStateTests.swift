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
}
