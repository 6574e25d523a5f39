import Foundation
import KelasCore

/// Why a sink could not be made: a secret missing from the environment, or one that is malformed. Never holds the secret.
public struct SinkSetupError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
}

extension SinkSpec {
    /// The environment variable that holds this sink's secret, if it needs one.
    public var secretVariable: String? {
        switch self {
        case .console, .jsonl: nil
        case .webhook: "KELAS_WEBHOOK_SECRET"
        case .whatsappCloud: "KELAS_WHATSAPP_TOKEN"
        }
    }

    /// Makes the sink, reading its secret from `environment` (never from a file).
    public func makeSink(environment: [String: String] = ProcessInfo.processInfo.environment,
                         console: @escaping @Sendable (String) -> Void = { print($0) }) throws -> any OutboundSink {
        let secret = secretVariable.flatMap { environment[$0] }.flatMap { $0.isEmpty ? nil : $0 }
        switch self {
        case .console: return ConsoleSink(write: console)
        case .jsonl(let path): return JSONLinesSink(path: path)
        case .webhook(let url):
            guard let secret else {
                throw SinkSetupError(description: "the webhook sink signs every message: set KELAS_WEBHOOK_SECRET to your whsec_… secret "
                                     + "(in the environment, never in a file in the repository)")
            }
            do { return try WebhookSink(url: url, signer: WebhookSigner(secret: secret)) } catch {
                throw SinkSetupError(description: "KELAS_WEBHOOK_SECRET: \(error)")
            }
        case .whatsappCloud(let id, let api):
            guard let secret else {
                throw SinkSetupError(description: "the whatsapp-cloud sink needs an access token: set KELAS_WHATSAPP_TOKEN to a system user's "
                                     + "token with the whatsapp_business_messaging permission (in the environment, never in a file)")
            }
            return WhatsAppCloudSink(phoneNumberID: id, token: secret, api: api)
        }
    }
}

/// Sends each batch's messages through that batch's own sink (its `delivery.sink`), others through a default one.
/// Sinks with the same spec are made once and shared, so they share their connections.
public struct SinkRouter: OutboundSink {
    public var fallback: any OutboundSink { sinks[0] }
    /// The distinct sinks, the fallback first.
    private let sinks: [any OutboundSink]
    /// Batch id → index in `sinks`; batches not listed use the fallback.
    private let route: [String: Int]

    /// `specs` gives each batch's sink spec; batches without one use `fallback`.
    public init(fallback: any OutboundSink, specs: [String: SinkSpec], make: (SinkSpec) throws -> any OutboundSink) throws {
        var sinks = [fallback]
        var made: [SinkSpec: Int] = [:]
        var route: [String: Int] = [:]
        for (batch, spec) in specs.sorted(by: { $0.key < $1.key }) {
            if made[spec] == nil {
                do { sinks.append(try make(spec)) } catch let error as SinkSetupError {
                    throw SinkSetupError(description: "batch \(batch) (delivery.sink: \(spec)): \(error.description)")
                }
                made[spec] = sinks.count - 1
            }
            route[batch] = made[spec]
        }
        self.sinks = sinks
        self.route = route
    }

    public var name: String {
        var names: [String] = []
        for sink in sinks where !names.contains(sink.name) { names.append(sink.name) }
        return names.joined(separator: " + ")
    }

    public func sink(forBatch batch: String) -> any OutboundSink { sinks[route[batch] ?? 0] }

    public func send(_ events: [OutboundEvent], at now: Date) async -> [SendReport] {
        // Group by sink (not by name: two specs may share one), keeping each message's place; groups go out together.
        var groups: [Int: [Int]] = [:]
        for (index, event) in events.enumerated() { groups[route[event.batch] ?? 0, default: []].append(index) }
        var reports = [SendReport?](repeating: nil, count: events.count)
        await withTaskGroup(of: ([Int], [SendReport]).self) { tasks in
            for (sink, indices) in groups {
                let target = sinks[sink]
                tasks.addTask { (indices, await target.send(indices.map { events[$0] }, at: now)) }
            }
            for await (indices, answers) in tasks {
                for (position, index) in indices.enumerated() where position < answers.count { reports[index] = answers[position] }
            }
        }
        return reports.map { $0 ?? SendReport(.transportError("the sink gave no answer")) }
    }
}
