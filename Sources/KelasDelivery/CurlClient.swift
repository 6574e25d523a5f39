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
    /// The headers a sink reads (`CurlClient.keptHeaders`: `retry-after`), names in lower case.
    public var headers: [String: String]
    public var body: Data
    public var error: String?
    public var latency: TimeInterval
}

/// Runs POSTs through libcurl's multi interface: up to `inFlight` transfers at once, the next started as soon as one
/// ends; connections stay in the multi handle's cache and transfer handles are kept for the next call. Every curl call
/// happens on one serial queue, which owns the handles.
public final class CurlClient: @unchecked Sendable {
    private let queue = DispatchQueue(label: "kelas.curl")
    private let multi: UnsafeMutableRawPointer?
    /// Transfer handles between calls (only touched on `queue`).
    private var idle: [Transfer] = []

    private static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    public init() {
        _ = Self.globalInit
        multi = curl_multi_init()
    }

    deinit {
        for transfer in idle { curl_easy_cleanup(transfer.easy) }
        if let multi { curl_multi_cleanup(multi) }
    }

    /// Performs the requests, at most `inFlight` at once, and returns their responses in the same order.
    public func perform(_ requests: [HTTPRequest], inFlight: Int = .max) async -> [HTTPResponse] {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: self.performBlocking(requests, inFlight: max(1, inFlight))) }
        }
    }

    /// The response headers kept (lower case): the only ones a sink reads. Others are skipped without making strings.
    static let keptHeaders: [[UInt8]] = [Array("retry-after".utf8)]

    /// One easy handle and what libcurl writes back for the request it carries.
    final class Transfer {
        let easy: UnsafeMutableRawPointer
        var index = 0
        var body = Data()
        var headers: [String: String] = [:]
        var list: UnsafeMutablePointer<curl_slist>?
        /// Whether the options every request shares are set, and the URL and timeout the handle carries now.
        var configured = false
        var url: String?
        var timeout: TimeInterval?

        init(easy: UnsafeMutableRawPointer) { self.easy = easy }

        /// Keeps a header line (`Name: value\r\n`) if its name is one of `keptHeaders`.
        func header(_ line: UnsafeRawBufferPointer) {
            for name in CurlClient.keptHeaders where line.count > name.count && line[name.count] == UInt8(ascii: ":") {
                guard zip(line, name).allSatisfy({ ($0 | 0x20) == $1 || $0 == $1 }) else { continue }
                let value = String(decoding: UnsafeRawBufferPointer(rebasing: line[(name.count + 1)...]), as: UTF8.self)
                headers[String(decoding: name, as: UTF8.self)] = value.trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
    }

    private func performBlocking(_ requests: [HTTPRequest], inFlight: Int) -> [HTTPResponse] {
        var responses = [HTTPResponse](repeating: HTTPResponse(status: nil, headers: [:], body: Data(), error: "not started", latency: 0),
                                       count: requests.count)
        guard let multi else { return responses.map { var r = $0; r.error = "libcurl could not start"; return r } }
        var active: [UnsafeMutableRawPointer: Transfer] = [:]
        var next = 0
        /// Starts the next request (or records why it cannot start); false when none is left.
        func startNext() -> Bool {
            guard next < requests.count else { return false }
            let index = next
            next += 1
            guard let transfer = idle.popLast() ?? curl_easy_init().map(Transfer.init) else {
                responses[index].error = "libcurl could not create a transfer"
                return true
            }
            transfer.index = index
            prepare(transfer, for: requests[index])
            curl_multi_add_handle(multi, transfer.easy)
            active[transfer.easy] = transfer
            return true
        }
        while active.count < inFlight, startNext() {}
        var running: Int32 = 0
        while !active.isEmpty {
            guard curl_multi_perform(multi, &running) == CURLM_OK else { break }
            var started = false
            while true {
                var left: Int32 = 0
                guard let message = curl_multi_info_read(multi, &left) else { break }
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                      let transfer = active.removeValue(forKey: easy) else { continue }
                let result = message.pointee.data.result
                var status = 0
                var total = 0.0
                _ = kelas_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
                _ = kelas_easy_getinfo_double(easy, CURLINFO_TOTAL_TIME, &total)
                responses[transfer.index] = HTTPResponse(
                    status: result == CURLE_OK ? status : nil, headers: transfer.headers, body: transfer.body,
                    error: result == CURLE_OK ? nil : String(cString: curl_easy_strerror(result)), latency: total)
                finish(transfer)
                // The next request takes the place of the one that ended.
                while active.count < inFlight, startNext() { started = true }
            }
            // A transfer just started has work to do at once; otherwise wait for the sockets (or libcurl's own timers).
            if !active.isEmpty, !started { _ = curl_multi_poll(multi, nil, 0, 1000, nil) }
        }
        for transfer in active.values { finish(transfer) }
        return responses
    }

    /// Sets a transfer's options for `request`. What is the same for every request (callbacks, no signals, no
    /// redirects, POST) is set when the handle is made; a reused handle keeps it, and its URL and timeouts while they
    /// do not change: only the body and the headers are set for every request. (Setting every option again, after
    /// `curl_easy_reset`, cost a fifth of a request's time against a local receiver.)
    private func prepare(_ transfer: Transfer, for request: HTTPRequest) {
        let easy = transfer.easy
        if !transfer.configured {
            transfer.configured = true
            _ = kelas_easy_setopt_long(easy, CURLOPT_POST, 1)
            _ = kelas_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
            _ = kelas_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0)
            let user = Unmanaged.passUnretained(transfer).toOpaque()
            _ = kelas_easy_setopt_write_callback(easy, CURLOPT_WRITEFUNCTION, { pointer, size, count, user in
                guard let pointer, let user else { return 0 }
                Unmanaged<CurlClient.Transfer>.fromOpaque(user).takeUnretainedValue().body
                    .append(UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: size * count)
                return size * count
            })
            _ = kelas_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, user)
            _ = kelas_easy_setopt_write_callback(easy, CURLOPT_HEADERFUNCTION, { pointer, size, count, user in
                guard let pointer, let user else { return 0 }
                Unmanaged<CurlClient.Transfer>.fromOpaque(user).takeUnretainedValue()
                    .header(UnsafeRawBufferPointer(start: pointer, count: size * count))
                return size * count
            })
            _ = kelas_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, user)
        }
        if transfer.url != request.url {
            transfer.url = request.url
            _ = kelas_easy_setopt_string(easy, CURLOPT_URL, request.url)
        }
        if transfer.timeout != request.timeout {
            transfer.timeout = request.timeout
            _ = kelas_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, Int(request.timeout * 1000))
            _ = kelas_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Int(min(request.timeout, 10) * 1000))
        }
        var list: UnsafeMutablePointer<curl_slist>?
        for (name, value) in request.headers {
            list = curl_slist_append(list, name + ": " + value)
        }
        list = curl_slist_append(list, "Content-Type: application/json")
        list = curl_slist_append(list, "Expect:")
        transfer.list = list
        _ = kelas_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, list)
        _ = kelas_easy_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
        // COPYPOSTFIELDS copies the body, so it need not outlive this call; an empty body replaces the last one too.
        request.body.withUnsafeBytes { bytes in
            if let base = bytes.baseAddress {
                _ = kelas_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: base))
            } else {
                _ = kelas_easy_setopt_string(easy, CURLOPT_COPYPOSTFIELDS, "")
            }
        }
    }

    /// Takes an ended (or abandoned) transfer out of the multi handle and keeps its handle, emptied, for the next request.
    private func finish(_ transfer: Transfer) {
        if let multi { curl_multi_remove_handle(multi, transfer.easy) }
        curl_slist_free_all(transfer.list)
        transfer.list = nil
        transfer.body = Data()
        transfer.headers = [:]
        idle.append(transfer)
    }
}

extension CurlClient {
    /// One request per event, `inFlight` at a time: `prepare` makes an event's request or says why it cannot be sent
    /// (a refusal, never retried), `outcome` reads each answer. Reports come back in the events' order.
    func deliver(_ events: [OutboundEvent], inFlight: Int, prepare: (OutboundEvent) -> Result<HTTPRequest, SendRefusal>,
                 outcome: (HTTPResponse) -> SendOutcome) async -> [SendReport] {
        await deliver(events, inFlight: inFlight, prepare: prepare, report: { SendReport(outcome($0)) })
    }

    /// The same, for a sink that says more about an answer than its outcome (the Cloud API's closed window).
    func deliver(_ events: [OutboundEvent], inFlight: Int, prepare: (OutboundEvent) -> Result<HTTPRequest, SendRefusal>,
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
        let responses = await perform(requests, inFlight: inFlight)
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
