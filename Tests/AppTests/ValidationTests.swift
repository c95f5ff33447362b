import Foundation
import Testing

@testable import App

@Suite struct ValidationTests {
    @Test(arguments: ["ann@example.com", "a.b+c@sub.example.co.uk", " ann@example.com "])
    func acceptsEmailAddresses(email: String) throws {
        #expect(try Validate.email(email) == email.trimmingCharacters(in: .whitespaces))
    }

    @Test(arguments: ["a", "a@b", "a@.b", "a@b.", "a@b..c", "a b@c.d", "@c.d", "a@@c.d"])
    func refusesWhatIsNotAnAddress(email: String) {
        #expect(throws: AppError.self) { try Validate.email(email) }
    }

    @Test func countsCharactersNotBytes() throws {
        #expect(try Validate.name(String(repeating: "👋🏽", count: 200)).count == 200)
        #expect(throws: AppError.self) { try Validate.name(String(repeating: "a", count: 201)) }
    }
}
