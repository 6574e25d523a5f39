import Testing
@testable import KelasCore

@Suite("Phone numbers")
struct PhoneNumberTests {
    @Test("Indonesian numbers as people write them become E.164", arguments: [
        ("0812-3456-7002", "+6281234567002"),
        ("+62 812 3456 7001", "+6281234567001"),
        ("6281234567001", "+6281234567001"),
        ("(0812) 3456.7001", "+6281234567001"),
        ("08123456789", "+628123456789"),
        ("+31 6 12345678", "+31612345678"),
    ])
    func normalises(_ written: String, _ expected: String) throws {
        let phone = try PhoneNumber.parse(written).get()
        #expect(phone.e164 == expected)
    }

    @Test("invalid numbers are rejected with a reason", arguments: [
        ("", PhoneNumber.Problem.empty),
        ("0812-34x6-7001", .invalidCharacter("x")),
        ("812345678", .missingCountryCode),
        ("021-555-1234", .notAnIndonesianMobile),
        ("0812-345", .wrongLength(digits: 8)),
        ("+62 812 3456 7890 1234", .wrongLength(digits: 17)),
    ])
    func rejects(_ written: String, _ problem: PhoneNumber.Problem) {
        #expect(throws: problem) { try PhoneNumber.parse(written).get() }
    }
}
