import Dispatch

/// A serial executor on a queue of its own: an actor that calls SQLite synchronously (which waits on the disk and on
/// other connections) runs there, never on the cooperative threads that every request and task share.
final class QueueExecutor: SerialExecutor, @unchecked Sendable {
    let queue: DispatchQueue
    /// Set on `queue` to its label, so a caller can tell it runs there (tests).
    static let label = DispatchSpecificKey<String>()

    init(label: String) {
        queue = DispatchQueue(label: label)
        queue.setSpecific(key: Self.label, value: label)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedSerialExecutor()) }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor { UnownedSerialExecutor(ordinary: self) }

    /// The label of the `QueueExecutor` queue the caller runs on, if it runs on one.
    static var current: String? { DispatchQueue.getSpecific(key: label) }
}
