import Dispatch
import Foundation
import Synchronization

/// Makes values 0, 1, 2, … on another thread, at most `ahead` of the one being consumed, and hands them to
/// `consume` in order on the calling thread: a pipeline of a pure producer (a simulated week) and a consumer that must
/// go in order (storing it), each on its own core. The result is the same as making and consuming one by one, whatever
/// the threads do: `make` is pure, and `stream` keeps the order.
///
/// If `consume` throws, the producer stops before its next value and the error is rethrown.
public func lookahead<Value: Sendable>(count: Int, ahead: Int = 4, make: @escaping @Sendable (Int) -> Value,
                                       consume: (Int, Value) throws -> Void) throws {
    guard count > 0 else { return }
    var index = 0
    try stream(group: 1, ahead: ahead, produce: { emit in
        for index in 0..<count { try emit(make(index)) }
    }, consume: { value in
        try consume(index, value)
        index += 1
    })
}

/// Runs `produce` on another thread and hands each value it emits to `consume`, in order, on the calling thread: a
/// streaming producer (parsing a chat export) and a consumer that must go in order (storing it) each on its own core.
/// Values travel in groups of `group`, at most `ahead` groups waiting, so memory stays flat however much is produced.
///
/// Returns what `produce` returns, once every value it emitted was consumed. An error `produce` throws is rethrown
/// after the values emitted before it were consumed; if `consume` throws, `emit` throws in the producer (which stops)
/// and the consumer's error is rethrown. The result is the same as producing and consuming on one thread.
///
/// `meanwhile` runs on the calling thread once the producer has started, before anything is consumed (other work to do
/// beside it); if it throws, the producer is stopped and its error rethrown.
public func stream<Value: Sendable, Outcome: Sendable>(group: Int = 256, ahead: Int = 4,
                                                       produce: @escaping @Sendable (_ emit: (Value) throws -> Void) throws -> Outcome,
                                                       meanwhile: () throws -> Void = {},
                                                       consume: (Value) throws -> Void) throws -> Outcome {
    let state = Mutex(StreamState<Value, Outcome>())
    // Made at 0 and signalled up: libdispatch traps when a semaphore is freed below the value it was made with,
    // as `room` is when the consumer stops early.
    let room = DispatchSemaphore(value: 0)
    for _ in 0..<max(1, ahead) { room.signal() }
    let ready = DispatchSemaphore(value: 0)
    let finished = DispatchSemaphore(value: 0)
    let size = max(1, group)
    onItsOwnThread {
        defer { finished.signal() }
        var pending: [Value] = []
        pending.reserveCapacity(size)
        // Once the consumer is seen to have stopped, `emit` throws at once and keeps nothing (a producer that goes on
        // anyway neither waits nor piles up what it makes).
        var stopped = false
        // Hands a group over when there is room for it; false when the consumer has stopped.
        func handOver() -> Bool {
            room.wait()
            stopped = state.withLock { state in
                if !state.stopped { state.groups.append(pending) }
                return state.stopped
            }
            if stopped { return false }
            ready.signal()
            pending.removeAll(keepingCapacity: true)
            return true
        }
        var outcome = Result<Outcome, any Error> {
            try produce { value in
                if stopped { throw StreamStopped() }
                pending.append(value)
                if pending.count == size, !handOver() { throw StreamStopped() }
            }
        }
        // The last, short group (also before a producer's own error), unless the consumer has stopped.
        if !pending.isEmpty, !stopped, !state.withLock({ $0.stopped }), !handOver() { outcome = .failure(StreamStopped()) }
        state.withLock { $0.outcome = outcome }
        // One `ready` per group, then this last one: when the consumer finds no group, the outcome is there.
        ready.signal()
    }
    defer {
        // Let a producer waiting for room see that it is to stop, and wait for it to be gone.
        state.withLock { $0.stopped = true }
        room.signal()
        finished.wait()
    }
    try meanwhile()
    while true {
        ready.wait()
        let next: StreamNext<Value, Outcome>? = state.withLock { state in
            if !state.groups.isEmpty { return .values(state.groups.removeFirst()) }
            // No group left: the producer is done (its outcome was set before this `ready`).
            return state.outcome.map(StreamNext.done)
        }
        switch next {
        case .values(let values):
            room.signal()
            for value in values { try consume(value) }
        case .done(let outcome):
            return try outcome.get()
        case nil:
            preconditionFailure("stream: signalled with neither values nor an outcome")
        }
    }
}

/// What `stream` keeps between its two threads: groups made and not yet taken, the producer's outcome once it is done,
/// and whether the consumer has stopped.
private struct StreamState<Value, Outcome> {
    var groups: [[Value]] = []
    var outcome: Result<Outcome, any Error>?
    var stopped = false
}

private enum StreamNext<Value, Outcome> {
    case values([Value])
    case done(Result<Outcome, any Error>)
}

/// Thrown by `emit` in a producer whose consumer has stopped.
private struct StreamStopped: Error {}

/// A value made on another thread, from when this is made, while the caller goes on with other work; `value` waits
/// for it. The value is the same as making it in place (`make` must be pure).
public final class Background<Value: Sendable>: Sendable {
    private let made = Mutex<Value?>(nil)
    private let done = DispatchSemaphore(value: 0)

    public init(_ make: @escaping @Sendable () -> Value) {
        onItsOwnThread { [self] in
            let value = make()
            made.withLock { $0 = value }
            done.signal()
        }
    }

    /// The value, once made (at once if it is).
    public var value: Value {
        done.wait()
        // Let any later read through too.
        done.signal()
        guard let value = made.withLock({ $0 }) else { preconditionFailure("Background: signalled before its value was made") }
        return value
    }
}

/// Runs `body` on a thread of its own. Not on Dispatch's global queue: its few threads can all be taken by producers
/// waiting for room (a `lookahead` and a `stream` inside it), and work queued behind them waited for a thread to be freed
/// (the programme's simulation took 1.2 s instead of 0.28).
private func onItsOwnThread(_ body: @escaping @Sendable () -> Void) {
    Thread.detachNewThread(body)
}
