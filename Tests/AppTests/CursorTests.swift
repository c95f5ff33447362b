import Foundation
import Testing

@testable import App

@Suite struct CursorTests {
    @Test func positionSurvivesTheRoundTrip() {
        let position = PageRequest.Position(
            createdAt: Timestamp(millisecondsSince1970: 1_795_000_000_345),
            id: "6e8230b0-f314-4f8b-a138-f066781e6b7b"
        )
        #expect(PageRequest.Position(cursor: position.cursor) == position)
        #expect(!position.cursor.contains("=") && !position.cursor.contains("/") && !position.cursor.contains("+"))
    }

    @Test(arguments: ["", "abc", "MTIzOm5vdC1hLXV1aWQ", "OjZlODIzMGIw"])
    func foreignCursorsAreRejected(cursor: String) {
        #expect(PageRequest.Position(cursor: cursor) == nil)
    }
}
