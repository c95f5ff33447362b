import Foundation
import Testing

@testable import App

/// The committed evaluation (`Tests/Evaluation/retrieval.json`): a help centre and questions a visitor might
/// ask, each with the row that answers it. Reports hit@1 and hit@3 of the bot's search; the goal is hit@3 ≥ 0.9.
@Suite struct RetrievalEvaluationTests {
    struct Evaluation: Decodable {
        struct Row: Decodable {
            let key: String
            let title: String
            let content: String
        }
        struct Question: Decodable {
            let question: String
            let key: String
        }
        let rows: [Row]
        let questions: [Question]
    }

    @Test func hitAtThreeIsAtLeastNinetyPercent() async throws {
        let file = packageRoot.appendingPathComponent("Tests/Evaluation/retrieval.json")
        let evaluation = try JSONDecoder().decode(Evaluation.self, from: Data(contentsOf: file))
        let app = try await TestApp()
        try await app.run { api in
            let (bot, _) = try await Fixtures.botWithDocuments(
                api,
                app,
                rows: evaluation.rows.map { ($0.key, $0.title, $0.content) }
            )
            var hitsAt1 = 0
            var hitsAt3 = 0
            var answeredRight = 0
            var answeredWrong = 0
            var misses: [String] = []
            for item in evaluation.questions {
                let hits = try await Fixtures.search(api, app, bot: bot, item.question)
                let found = hits.prefix(3).compactMap { $0["source"]?["rowKey"]?.string }
                // What the bot itself would reply with: the first passage that answers, if any
                if let quoted = hits.first(where: { $0["answers"]?.bool == true }) {
                    if quoted["source"]?["rowKey"]?.string == item.key {
                        answeredRight += 1
                    } else {
                        answeredWrong += 1
                    }
                }
                if found.first == item.key { hitsAt1 += 1 }
                if found.contains(item.key) { hitsAt3 += 1 } else { misses.append("\(item.question) → \(found)") }
            }
            let count = Double(evaluation.questions.count)
            let hitAt1 = Double(hitsAt1) / count
            let hitAt3 = Double(hitsAt3) / count
            print(
                "retrieval evaluation: \(evaluation.questions.count) questions over \(evaluation.rows.count) rows: "
                    + "hit@1 \(String(format: "%.3f", hitAt1)), hit@3 \(String(format: "%.3f", hitAt3)); "
                    + "the bot quotes the right row for \(answeredRight), a wrong one for \(answeredWrong), "
                    + "and says it does not know for \(evaluation.questions.count - answeredRight - answeredWrong)"
            )
            for miss in misses { print("  missed: \(miss)") }
            #expect(hitAt3 >= 0.9, "\(misses)")
        }
    }
}
