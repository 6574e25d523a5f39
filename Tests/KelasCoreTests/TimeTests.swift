import Foundation
import Testing
@testable import KelasCore

@Suite("Dates, times and time zones")
struct TimeTests {
    @Test("the internet date-time form is read to the instant ISO8601DateFormatter reads; anything else is left to it")
    func instantFromISO8601() {
        let formatter = ISO8601DateFormatter()
        var random = SplitMix64(seed: 7)
        for _ in 0..<2_000 {
            let instant = Date(timeIntervalSince1970: Double(Int(random.next() % 4_000_000_000)) - 1_000_000_000)
            let offset = [0, 7 * 3600, 8 * 3600, 9 * 3600, -5 * 3600, 5 * 3600 + 1800, -(9 * 3600 + 1800), 14 * 3600][Int(random.next() % 8)]
            let text = KelasTimeZone.iso8601(instant, in: TimeZone(secondsFromGMT: offset) ?? .gmt)
            #expect(KelasTimeZone.instant(iso8601: text) == instant && formatter.date(from: text) == instant, "\(text)")
        }
        #expect(KelasTimeZone.instant(iso8601: "2021-07-05T00:30:00Z") == formatter.date(from: "2021-07-05T00:30:00Z"))
        #expect(KelasTimeZone.instant(iso8601: "2024-02-29T23:59:59-03:30") == formatter.date(from: "2024-02-29T23:59:59-03:30"))
        // Not this form (the callers ask the formatter, which reads some of them its own way).
        for text in ["2021-02-29T09:00:00+07:00", "2021-07-05T24:00:00Z", "2021-07-05T09:00+07:00", "2021-07-05T09:00:00.250Z",
                     "2021-07-05 09:00:00Z", "2021-07-05T09:00:00+0700", "2021-07-05T09:00:00", "2021-07-05T09:00:00Z ",
                     "2021-7-05T09:00:00Z", "2021-07-05T09:00:60Z", "1899-12-31T23:00:00Z", "", "２０２１-07-05T09:00:00Z"] {
            #expect(KelasTimeZone.instant(iso8601: text) == nil, "\(text)")
        }
        // Reading any form: the usual one without the formatter, fractions only where asked for.
        let fraction = "2021-07-05T09:00:00.250Z"
        #expect(KelasTimeZone.instant(reading: "2021-07-05T09:00:00+07:00") == formatter.date(from: "2021-07-05T09:00:00+07:00"))
        #expect(KelasTimeZone.instant(reading: fraction) == nil)
        #expect(KelasTimeZone.instant(reading: fraction, fractions: true)?.timeIntervalSince1970 == 1_625_475_600.25)
        #expect(KelasTimeZone.instant(reading: "yesterday", fractions: true) == nil)
    }

    @Test("date arithmetic and weekdays")
    func dates() throws {
        let start = try #require(LocalDate("2021-07-05"))
        #expect(start.weekday == .monday)
        #expect(start.adding(days: 4).weekday == .friday)
        #expect(start.adding(days: 27).description == "2021-08-01")
        #expect(LocalDate("2024-02-29")?.adding(days: 1).description == "2024-03-01")
        #expect(LocalDate("2021-02-29") == nil)
        #expect(LocalDate("2021-7-5") == nil)
        #expect(LocalDate(daysSinceEpoch: start.daysSinceEpoch) == start)
    }

    @Test("times of day and quiet periods parse as trainers write them")
    func times() throws {
        #expect(LocalTime("07:30")?.secondsOfDay == 27_000)
        #expect(LocalTime("7.30")?.description == "07:30")
        #expect(LocalTime("24:00") != nil)
        #expect(LocalTime("24:01") == nil)
        #expect(LocalTime("7:3") == nil)
        #expect(TimeRange("21:00-07:00") == nil)
        let friday = try #require(QuietPeriod("Jumat 11:30-13:00"))
        #expect(friday.weekdays == [.friday])
        #expect(QuietPeriod("Fri,Sat 11:30-13:00")?.weekdays == [.friday, .saturday])
        #expect(QuietPeriod("Funday 11:30-13:00") == nil)
    }

    @Test("WIB, WITA and WIT resolve to UTC+7, +8 and +9", arguments: [
        ("WIB", "2021-07-05T01:00:00Z", "+07:00"),
        ("Asia/Makassar", "2021-07-05T00:00:00Z", "+08:00"),
        ("WIT", "2021-07-04T23:00:00Z", "+09:00"),
    ])
    func zones(_ name: String, _ utc: String, _ offset: String) throws {
        let zone = try #require(KelasTimeZone.resolve(name))
        let date = try #require(LocalDate("2021-07-05"))
        let instant = KelasTimeZone.instant(date, LocalTime(hour: 8, minute: 0), in: zone)
        #expect(instant.formatted(.iso8601) == utc)
        #expect(KelasTimeZone.iso8601(date, LocalTime(hour: 8, minute: 0), in: zone) == "2021-07-05T08:00:00" + offset)
    }

    @Test("abbreviations that are not Indonesian zones are refused")
    func unknownZones() {
        #expect(KelasTimeZone.resolve("PST") == nil)
        #expect(KelasTimeZone.resolve("Asia/Jakrta") == nil)
    }
}
