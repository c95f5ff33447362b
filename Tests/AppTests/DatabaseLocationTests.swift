import Logging
import Testing

@testable import App

@Suite struct DatabaseLocationTests {
    @Test func aPathIsSQLiteAndAPostgresURLIsPostgreSQL() {
        #expect(DatabaseLocation("./data/switchboard.sqlite") == .sqlite(path: "./data/switchboard.sqlite"))
        #expect(DatabaseLocation("postgres://u:p@db:5432/sb") == .postgres(url: "postgres://u:p@db:5432/sb"))
        #expect(DatabaseLocation("postgresql://u@db/sb") == .postgres(url: "postgresql://u@db/sb"))
    }

    @Test func theRedactedFormNeverShowsThePassword() {
        let location = DatabaseLocation("postgres://switchboard:s3cret@db.internal:5432/sb?sslmode=require")
        #expect(location.redacted == "postgres://switchboard:•••@db.internal:5432/sb?sslmode=require")
        #expect(!location.redacted.contains("s3cret"))
    }

    @Test func theURLGivesHostPortUserPasswordDatabaseAndTLSMode() throws {
        let endpoint = try PostgresStore.Endpoint("postgres://sw%40tch:p%2Fw@db.internal:6543/bots?sslmode=disable")
        #expect(endpoint.host == "db.internal")
        #expect(endpoint.port == 6543)
        #expect(endpoint.username == "sw@tch")
        #expect(endpoint.password == "p/w")
        #expect(endpoint.database == "bots")
        #expect(endpoint.sslMode == "disable")
        #expect(try PostgresStore.Endpoint("postgres://u@db/sb").port == 5432)
        #expect(try PostgresStore.Endpoint("postgres://u@db/sb").sslMode == "prefer")
    }

    @Test(arguments: ["postgres://db/sb", "postgres://u@/sb", "postgres://u@db/sb?sslmode=maybe"])
    func aURLWithoutAUserOrHostOrWithAnUnknownTLSModeIsRefused(url: String) {
        #expect(throws: DatabaseURLError.self) { try PostgresStore.Endpoint(url) }
    }
}
