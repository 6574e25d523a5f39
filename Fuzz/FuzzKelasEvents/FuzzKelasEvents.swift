// libFuzzer target: the Kelas events decoder of POST /webhooks/kelas.
// Built by scripts/fuzz.sh with -sanitize=fuzzer; not part of the normal build.
import Foundation
import KelasCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start = data, count > 0 else { return 0 }
    _ = try? KelasEvents.decode(Data(bytes: start, count: count), file: "fuzz.json")
    return 0
}

// SwiftPM links an executable's entry point as `FuzzKelasEvents_main`: hand it to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                       _ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@_cdecl("FuzzKelasEvents_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc, arguments = argv
    return runDriver(&count, &arguments) { fuzz($0, $1) }
}
