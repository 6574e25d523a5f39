import CCurl
import Foundation

/// One HTTP POST for the multi interface.
public struct HTTPRequest: Sendable {
    public var url: String
    public var headers: [(String, String)]
    public var body: Data
    public var timeout: TimeInterval

    public init(url: String, headers: [(String, String)], body: Data, timeout: TimeInterval = 15) {
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// What came back: a status and headers, or a transport error (refused, timeout, DNS, TLS).
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int?
    /// Header names in lower case.
    public var headers: [String: String]
    public var body: Data
    public var error: String?
    public var latency: TimeInterval
}

/// Runs POSTs through libcurl's multi interface: all transfers of a call in flight at once, connections kept in the
/// multi handle's cache for the next call. Every curl call happens on one serial queue, which owns the handles.
public final class CurlClient: @unchecked Sendable {
    private let queue = DispatchQueue(label: "kelas.curl")
    private let multi: UnsafeMutableRawPointer?

    private static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    public init() {
        _ = Self.globalInit
        multi = curl_multi_init()
    }

    deinit {
        if let multi { curl_multi_cleanup(multi) }
    }

    /// Performs the requests concurrently and returns their responses in the same order.
    public func perform(_ requests: [HTTPRequest]) async -> [HTTPResponse] {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: self.performBlocking(requests)) }
        }
    }

    /// Collects a response body or header block written by libcurl.
    final class Sink {
        var body = Data()
        var headers: [String: String] = [:]
    }

    private func performBlocking(_ requests: [HTTPRequest]) -> [HTTPResponse] {
        var responses = requests.map { _ in HTTPResponse(status: nil, headers: [:], body: Data(), error: "not started", latency: 0) }
        guard let multi else { return responses.map { var r = $0; r.error = "libcurl could not start"; return r } }
        var transfers: [(index: Int, easy: UnsafeMutableRawPointer, sink: Unmanaged<Sink>, headers: UnsafeMutablePointer<curl_slist>?)] = []
        for (index, request) in requests.enumerated() {
            guard let easy = curl_easy_init() else { responses[index].error = "libcurl could not create a transfer"; continue }
            let sink = Unmanaged.passRetained(Sink())
            var list: UnsafeMutablePointer<curl_slist>?
            for (name, value) in request.headers + [("Content-Type", "application/json"), ("Expect", "")] {
                list = curl_slist_append(list, "\(name): \(value)")
            }
            _ = kelas_easy_setopt_string(easy, CURLOPT_URL, request.url)
            _ = kelas_easy_setopt_long(easy, CURLOPT_POST, 1)
            _ = kelas_easy_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
            // COPYPOSTFIELDS copies the body, so it need not outlive this loop.
            request.body.withUnsafeBytes { bytes in
                if let base = bytes.baseAddress { _ = kelas_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: base)) }
            }
            _ = kelas_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, list)
            _ = kelas_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
            _ = kelas_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0)
            _ = kelas_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, Int(request.timeout * 1000))
            _ = kelas_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Int(min(request.timeout, 10) * 1000))
            _ = kelas_easy_setopt_write_callback(easy, CURLOPT_WRITEFUNCTION, { pointer, size, count, user in
                guard let pointer, let user else { return 0 }
                Unmanaged<CurlClient.Sink>.fromOpaque(user).takeUnretainedValue().body.append(UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: size * count)
                return size * count
            })
            _ = kelas_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, sink.toOpaque())
            _ = kelas_easy_setopt_write_callback(easy, CURLOPT_HEADERFUNCTION, { pointer, size, count, user in
                guard let pointer, let user else { return 0 }
                let line = String(decoding: UnsafeRawBufferPointer(start: pointer, count: size * count), as: UTF8.self)
                if let colon = line.firstIndex(of: ":") {
                    let name = line[..<colon].lowercased()
                    let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
                    Unmanaged<CurlClient.Sink>.fromOpaque(user).takeUnretainedValue().headers[name] = value
                }
                return size * count
            })
            _ = kelas_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, sink.toOpaque())
            curl_multi_add_handle(multi, easy)
            transfers.append((index, easy, sink, list))
        }
        var running: Int32 = 1
        while running > 0 {
            guard curl_multi_perform(multi, &running) == CURLM_OK else { break }
            while true {
                var left: Int32 = 0
                guard let message = curl_multi_info_read(multi, &left) else { break }
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
                guard let transfer = transfers.first(where: { $0.easy == easy }) else { continue }
                let index = transfer.index
                let result = message.pointee.data.result
                var status = 0
                var total = 0.0
                _ = kelas_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
                _ = kelas_easy_getinfo_double(easy, CURLINFO_TOTAL_TIME, &total)
                let sink = transfer.sink.takeUnretainedValue()
                responses[index] = HTTPResponse(
                    status: result == CURLE_OK ? status : nil, headers: sink.headers, body: sink.body,
                    error: result == CURLE_OK ? nil : String(cString: curl_easy_strerror(result)), latency: total)
            }
            if running > 0 { _ = curl_multi_poll(multi, nil, 0, 1000, nil) }
        }
        for transfer in transfers {
            curl_multi_remove_handle(multi, transfer.easy)
            curl_easy_cleanup(transfer.easy)
            curl_slist_free_all(transfer.headers)
            transfer.sink.release()
        }
        return responses
    }
}

extension CurlClient {
    /// One request per event, all in flight together: `prepare` makes an event's request or says why it cannot be sent
    /// (a refusal, never retried), `outcome` reads each answer. Reports come back in the events' order.
    func deliver(_ events: [OutboundEvent], prepare: (OutboundEvent) -> Result<HTTPRequest, SendRefusal>,
                 outcome: (HTTPResponse) -> SendOutcome) async -> [SendReport] {
        await deliver(events, prepare: prepare, report: { SendReport(outcome($0)) })
    }

    /// The same, for a sink that says more about an answer than its outcome (the Cloud API's closed window).
    func deliver(_ events: [OutboundEvent], prepare: (OutboundEvent) -> Result<HTTPRequest, SendRefusal>,
                 report: (HTTPResponse) -> SendReport) async -> [SendReport] {
        var reports = [SendReport?](repeating: nil, count: events.count)
        var requests: [HTTPRequest] = []
        var sent: [Int] = []
        for (index, event) in events.enumerated() {
            switch prepare(event) {
            case .failure(let refusal): reports[index] = SendReport(.rejected(status: nil, reason: refusal.reason, retry: false))
            case .success(let request):
                requests.append(request)
                sent.append(index)
            }
        }
        let responses = await perform(requests)
        for (index, response) in zip(sent, responses) {
            var answer = report(response)
            answer.latency = response.latency
            reports[index] = answer
        }
        return reports.map { $0 ?? SendReport(.transportError("not sent")) }
    }
}

/// Why a sink will not send a message at all (no request is made; the message fails with this reason).
public struct SendRefusal: Error, Sendable, Equatable {
    public var reason: String
}
