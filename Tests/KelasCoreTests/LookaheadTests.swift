import Synchronization
import Testing
@testable import KelasCore

@Suite("Lookahead: made on another thread, consumed in order")
struct LookaheadTests {
    struct Stop: Error {}

    /// A producer that emits 0, 1, 2, … and never ends unless `emit` throws (once the consumer has stopped).
    @Sendable static func endless(_ emit: (Int) throws -> Void) throws -> Int {
        var index = 0
        while true { try emit(index); index += 1 }
    }

    @Test("every value arrives once, in index order, equal to making it in place", arguments: [0, 1, 2, 7, 100])
    func inOrder(count: Int) throws {
        for ahead in [1, 3, 50] {
            var seen: [(Int, String)] = []
            try lookahead(count: count, ahead: ahead) { index in "week \(index * index)" } consume: { index, value in
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

    @Test("stream: every emitted value arrives once, in order, and the producer's result comes back",
          arguments: [0, 1, 5, 256, 257, 1_000])
    func streamInOrder(count: Int) throws {
        for (group, ahead) in [(1, 1), (3, 2), (256, 4), (2_000, 1)] {
            var seen: [String] = []
            let made = try stream(group: group, ahead: ahead, produce: { emit in
                for index in 0..<count { try emit("line \(index)") }
                return count
            }, consume: { seen.append($0) })
            #expect(made == count)
            #expect(seen == (0..<count).map { "line \($0)" }, "group \(group), ahead \(ahead)")
        }
    }

    @Test("stream: a producer's error comes back after what it emitted before it was consumed")
    func streamProducerError() {
        var seen: [Int] = []
        #expect(throws: Stop.self) {
            _ = try stream(group: 4, ahead: 1, produce: { emit in
                for index in 0..<10 { try emit(index) }
                throw Stop()
            }, consume: { seen.append($0) })
        }
        #expect(seen == Array(0..<10))
    }

    @Test("stream: a consumer's error stops the producer (its emit throws) and comes back; nothing after it is consumed")
    func streamConsumerError() {
        struct Other: Error {}
        var consumed: [Int] = []
        #expect(throws: Other.self) {
            _ = try stream(group: 2, ahead: 1, produce: Self.endless, consume: { (index: Int) in
                if index == 5 { throw Other() }
                consumed.append(index)
            })
        }
        #expect(consumed == [0, 1, 2, 3, 4])
    }

    @Test("stream: a producer that goes on after emit threw is not left waiting, and what it makes then is dropped")
    func streamProducerGoesOn() {
        struct Other: Error {}
        var consumed: [Int] = []
        let refused = Mutex(0)
        #expect(throws: Other.self) {
            _ = try stream(group: 1, ahead: 1, produce: { emit in
                // Swallows the error that says to stop, and counts how often it was told.
                for index in 0..<1_000 { do { try emit(index) } catch { refused.withLock { $0 += 1 } } }
                return 0
            }, consume: { (index: Int) in
                if index == 2 { throw Other() }
                consumed.append(index)
            })
        }
        #expect(consumed == [0, 1])
        // Every value from the first refused one on is refused: at most the few made ahead were taken.
        #expect(refused.withLock { $0 } >= 1_000 - 5)
    }

    @Test("stream: meanwhile runs before anything is consumed; if it throws, that error comes back and nothing is consumed")
    func streamMeanwhile() {
        var log: [String] = []
        let made = try? stream(group: 2, ahead: 1, produce: { emit in
            for index in 0..<5 { try emit(index) }
            return 5
        }, meanwhile: { log.append("meanwhile") }, consume: { (index: Int) in log.append("\(index)") })
        #expect(made == 5 && log == ["meanwhile", "0", "1", "2", "3", "4"])
        struct Failed: Error {}
        var consumed: [Int] = []
        #expect(throws: Failed.self) {
            _ = try stream(group: 1, ahead: 1, produce: Self.endless, meanwhile: { throw Failed() },
                           consume: { (index: Int) in consumed.append(index) })
        }
        #expect(consumed.isEmpty)
    }

    @Test("Background: the value made on another thread is the value made in place, read as often as asked")
    func background() {
        let made = Background { (1...10_000).map { $0 * $0 }.reduce(0, +) }
        let inPlace = (1...10_000).map { $0 * $0 }.reduce(0, +)
        #expect(made.value == inPlace)
        #expect(made.value == inPlace)
    }
}
