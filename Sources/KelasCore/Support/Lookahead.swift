import Dispatch
import Synchronization

/// Makes values 0, 1, 2, … on another thread, at most `ahead` of the one being consumed, and hands them to
/// `consume` in order on the calling thread: a pipeline of a pure producer (a simulated week) and a consumer that must
/// go in order (storing it), each on its own core. The result is the same as making and consuming one by one, whatever
/// the threads do: `make` is pure, and order is kept by index.
///
/// If `consume` throws, the producer stops before its next value and the error is rethrown.
public func lookahead<Value: Sendable>(count: Int, ahead: Int = 4, make: @escaping @Sendable (Int) -> Value,
                                       consume: (Int, Value) throws -> Void) rethrows {
    guard count > 0 else { return }
    let state = Mutex<(made: [Int: Value], stopped: Bool)>(([:], false))
    // Made at 0 and signalled up: libdispatch traps when a semaphore is freed below the value it was made with,
    // as `room` is when the consumer stops early.
    let room = DispatchSemaphore(value: 0)
    for _ in 0..<max(1, ahead) { room.signal() }
    let ready = DispatchSemaphore(value: 0)
    let finished = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
        defer { finished.signal() }
        for index in 0..<count {
            room.wait()
            if state.withLock({ $0.stopped }) { return }
            let value = make(index)
            state.withLock { $0.made[index] = value }
            ready.signal()
        }
    }
    defer {
        // Let a producer waiting for room see that it is to stop, and wait for it to be gone.
        state.withLock { $0.stopped = true }
        room.signal()
        finished.wait()
    }
    for index in 0..<count {
        ready.wait()
        // Values arrive in index order, one `ready` each: the one for `index` is there.
        guard let value = state.withLock({ $0.made.removeValue(forKey: index) }) else {
            preconditionFailure("lookahead: value \(index) signalled before it was made")
        }
        room.signal()
        try consume(index, value)
    }
}
