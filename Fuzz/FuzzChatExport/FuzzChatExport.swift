// libFuzzer target: the chat-export reader (format detection, header parser, entries, author matching).
// Built by scripts/fuzz.sh with -sanitize=fuzzer; not part of the normal build.
import Foundation
@testable import KelasCore

private let people = PeopleDirectory([
    .init(phone: PhoneNumber(e164: "+6281234567110"), name: "Ahmad Fauzi", alias: "Fauzi Gresik", role: .participant),
    .init(phone: PhoneNumber(e164: "+6281234567001"), name: "Iva Hasanah", role: .trainer),
])

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start = data, count > 0 else { return 0 }
    let bytes = UnsafeBufferPointer(start: start, count: count)
    var lines: [UnsafeBufferPointer<UInt8>] = []
    var lineStart = 0
    for index in 0...count where index == count || bytes[index] == 0x0A {
        lines.append(UnsafeBufferPointer(rebasing: bytes[lineStart..<index]))
        lineStart = index + 1
    }
    var detector = ChatFormatDetector(expected: LocalDate(year: 2021, month: 6, day: 28)...LocalDate(year: 2021, month: 8, day: 12))
    for line in lines { detector.feed(line) }
    guard let format = try? detector.format(file: "fuzz.txt") else { return 0 }
    var parser = ChatExportParser(format: format)
    var chat = ChatImport(batchID: "fuzz", people: people, timeZone: TimeZone(identifier: "Asia/Jakarta") ?? .gmt, format: format)
    for (number, line) in lines.enumerated() {
        if let entry = parser.feed(line, number: number + 1) { _ = chat.message(for: entry) }
    }
    if let last = parser.finish() { _ = chat.message(for: last) }
    _ = parser.mangled.tooMany(headers: parser.headers)
    return 0
}

// SwiftPM links an executable's entry point as `FuzzChatExport_main`: hand it to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                       _ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@_cdecl("FuzzChatExport_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc, arguments = argv
    return runDriver(&count, &arguments) { fuzz($0, $1) }
}
