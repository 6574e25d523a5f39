import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small real HTTP/1.1 server on 127.0.0.1 and a free port, for testing the webhook sink over the wire.
/// Each request gets the handler's answer; `nil` from the handler means "never answer" (hold, then drop).
final class TestHTTPServer: @unchecked Sendable {
    struct Request: Sendable {
        /// The request target, e.g. `/v21.0/106540352242922/messages`.
        var path: String
        var headers: [String: String]
        var body: Data
    }

    struct Answer: Sendable {
        var status: Int
        var headers: [String: String] = [:]
        var body: Data = Data()
    }

    let port: UInt16
    private let listener: Int32
    private let lock = NSLock()
    private var received: [Request] = []
    private let handler: @Sendable (Request, Int) -> Answer?

    var url: String { "http://127.0.0.1:\(port)/kelas" }
    var requests: [Request] { lock.withLock { received } }

    /// `handler` gets the request and its 0-based number.
    init(handler: @escaping @Sendable (Request, Int) -> Answer? = { _, _ in Answer(status: 204) }) throws {
        self.handler = handler
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        listener = fd
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// Stops accepting. The listening socket is closed only after the accept loop has left `accept`: closing it
    /// while the loop was between two calls let the number be reused by another test's new server, whose
    /// connections this loop then took and answered with this server's handler (a flaky "failed" in a fan-out
    /// test, one run in four). Idempotent.
    func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopping = true }
            return !stopping
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        loopDone.wait()
        close(listener)
    }

    private var stopping = false
    private let loopDone = DispatchSemaphore(value: 0)

    private func acceptLoop() {
        defer { loopDone.signal() }
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { return }
            if lock.withLock({ stopping }) { close(client); return }
            // A thread of its own: the shared dispatch pool also runs Swift concurrency and, busy with other tests,
            // could leave a connection unread until the client's timeout.
            Thread { self.serve(client) }.start()
        }
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var headerEnd: Range<Data.Index>?
        while headerEnd == nil {
            let count = read(client, &buffer, buffer.count)
            if count <= 0 { return }
            data.append(contentsOf: buffer[0..<count])
            headerEnd = data.range(of: Data("\r\n\r\n".utf8))
        }
        guard let headerEnd else { return }
        var headers: [String: String] = [:]
        let head = String(decoding: data[..<headerEnd.lowerBound], as: UTF8.self).split(separator: "\r\n")
        let path = head.first.map { $0.split(separator: " ").dropFirst().first.map(String.init) ?? "" } ?? ""
        for line in head.dropFirst() {
            if let colon = line.firstIndex(of: ":") {
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while data.count - headerEnd.upperBound < length {
            let count = read(client, &buffer, buffer.count)
            if count <= 0 { return }
            data.append(contentsOf: buffer[0..<count])
        }
        let request = Request(path: path, headers: headers, body: Data(data[headerEnd.upperBound..<(headerEnd.upperBound + length)]))
        let number = lock.withLock { received.append(request); return received.count - 1 }
        guard let answer = handler(request, number) else {
            Thread.sleep(forTimeInterval: 2)
            return
        }
        var response = "HTTP/1.1 \(answer.status) Kelas Test\r\nContent-Length: \(answer.body.count)\r\nConnection: close\r\n"
        for (name, value) in answer.headers { response += "\(name): \(value)\r\n" }
        response += "\r\n"
        let bytes = Data(response.utf8) + answer.body
        _ = bytes.withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
    }
}
