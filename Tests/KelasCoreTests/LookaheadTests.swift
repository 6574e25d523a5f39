import Testing
@testable import KelasCore

@Suite("Lookahead: made on another thread, consumed in order")
struct LookaheadTests {
    struct Stop: Error {}

    @Test("every value arrives once, in index order, equal to making it in place", arguments: [0, 1, 2, 7, 100])
    func inOrder(count: Int) {
        for ahead in [1, 3, 50] {
            var seen: [(Int, String)] = []
            lookahead(count: count, ahead: ahead) { index in "week \(index * index)" } consume: { index, value in
                seen.append((index, value))
            }
            #expect(seen.map(\.0) == Array(0..<count), "ahead \(ahead)")
            #expect(seen.map(\.1) == (0..<count).map { "week \($0 * $0)" }, "ahead \(ahead)")
        }
    }

    @Test("an error from the consumer stops the run and comes back; nothing after it is consumed")
    func stopsOnError() {
        var consumed: [Int] = []
        #expect(throws: Stop.self) {
            try lookahead(count: 1_000, ahead: 2) { $0 } consume: { index, _ in
                if index == 5 { throw Stop() }
                consumed.append(index)
            }
        }
        #expect(consumed == [0, 1, 2, 3, 4])
    }
}
