import Foundation
import KelasCore
import KelasStore

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
        case .waha: "KELAS_WAHA_API_KEY"
        case .evolution: "KELAS_EVOLUTION_API_KEY"
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
        case .waha(let url, let session):
            guard let secret else {
                throw SinkSetupError(description: "the waha sink needs WAHA's API key: set KELAS_WAHA_API_KEY to the key WAHA was "
                                     + "started with (WAHA_API_KEY), in the environment, never in a file")
            }
            return GatewaySink(gateway: .waha(session: session), base: url, apiKey: secret)
        case .evolution(let url, let instance):
            let name = instance.isEmpty ? environment["KELAS_EVOLUTION_INSTANCE"] ?? "" : instance
            guard !name.isEmpty else {
                throw SinkSetupError(description: "the evolution sink needs the instance linked to the phone: set `instance:` under "
                                     + "`delivery` in the batch file (or KELAS_EVOLUTION_INSTANCE with --sink)")
            }
            guard let secret else {
                throw SinkSetupError(description: "the evolution sink needs Evolution API's key: set KELAS_EVOLUTION_API_KEY to its "
                                     + "AUTHENTICATION_API_KEY (or the instance's token), in the environment, never in a file")
            }
            return GatewaySink(gateway: .evolution(instance: name), base: url, apiKey: secret)
        }
    }
}

/// Which sink a batch's message goes through, resolved when the message is sent — not once at start: a server runs
/// for weeks while batches are added, or added again with another sink. Each spec's sink is made once and shared
/// (so its connections are). A sink that cannot be made is a reason to hold the message, never a fallback that
/// reports success.
public final class SinkResolver: @unchecked Sendable {
    /// A resolved sink and the key its messages are grouped by (one send call per sink and round).
    public struct Resolved: @unchecked Sendable {
        public var key: SinkSpec?
        public var sink: any OutboundSink
    }

    private enum Mode {
        /// Every message through this sink (tests, simulations).
        case fixed(any OutboundSink)
        /// Every batch through this spec (`--sink`).
        case override(SinkSpec)
        /// Each batch through its own `delivery.sink`; batches naming none through `fallback`, or held without one.
        case own(fallback: SinkSpec?)
    }

    private let mode: Mode
    private let make: @Sendable (SinkSpec) throws -> any OutboundSink
    private let lock = NSLock()
    private var made: [SinkSpec: Result<any OutboundSink, SinkSetupError>] = [:]

    /// `override` sends every batch to one sink (`--sink`); otherwise each batch goes to its own `delivery.sink`, and a
    /// batch that names none to `fallback` (`kelas run`: the console) or nowhere (`kelas serve`: held with the reason).
    public init(override: SinkSpec? = nil, fallback: SinkSpec? = nil,
                make: @escaping @Sendable (SinkSpec) throws -> any OutboundSink = { try $0.makeSink() }) {
        mode = override.map { .override($0) } ?? .own(fallback: fallback)
        self.make = make
    }

    /// Every message through `sink`, whatever its batch names.
    public init(fixed sink: any OutboundSink) {
        mode = .fixed(sink)
        make = { _ in sink }
    }

    /// What the banner of `kelas run` and `kelas serve` says it sends through.
    public var name: String {
        switch mode {
        case .fixed(let sink): sink.name
        case .override(let spec): spec.description
        case .own(let fallback?): "each batch's sink (\(fallback) if none)"
        case .own(nil): "each batch's sink"
        }
    }

    /// The sink for a message of `batchID`, whose stored `delivery.sink` is `batchSink`, or why there is none.
    public func resolve(batchID: String, batchSink: BatchSink) -> Result<Resolved, SinkSetupError> {
        let spec: SinkSpec
        switch (mode, batchSink) {
        case (.fixed(let sink), _): return .success(Resolved(key: nil, sink: sink))
        case (.override(let chosen), _): spec = chosen
        case (.own, .spec(let own)): spec = own
        case (.own, .unreadable(let text)):
            return .failure(SinkSetupError(description: "batch \(batchID)'s stored delivery.sink (\(text)) cannot be read by this version "
                                           + "of Kelas: run `kelas batch add` with its file again"))
        case (.own(let fallback?), .unset): spec = fallback
        case (.own(nil), .unset):
            return .failure(SinkSetupError(description: "batch \(batchID) names no delivery.sink: set one in its file and "
                                           + "`kelas batch add` it again, or start with `--sink SPEC` (`--sink console` only prints)"))
        }
        return sink(for: spec).map { Resolved(key: spec, sink: $0) }.mapError { error in
            SinkSetupError(description: "batch \(batchID) (delivery.sink: \(spec)): \(error.description)")
        }
    }

    /// The sink of a spec, made on first use; a failure is kept too (the environment does not change while we run).
    public func sink(for spec: SinkSpec) -> Result<any OutboundSink, SinkSetupError> {
        lock.withLock {
            if let known = made[spec] { return known }
            let result: Result<any OutboundSink, SinkSetupError>
            do { result = .success(try make(spec)) } catch let error as SinkSetupError {
                result = .failure(error)
            } catch {
                result = .failure(SinkSetupError(description: "\(error)"))
            }
            made[spec] = result
            return result
        }
    }
}
