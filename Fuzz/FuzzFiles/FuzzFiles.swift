// libFuzzer target: the batch, curriculum and participants readers, each given the same input.
// Built by scripts/fuzz.sh with -sanitize=fuzzer; not part of the normal build.
import Foundation
@testable import KelasCore

/// The example workspace, so that a fuzzed batch file's references (participants.csv, curriculum.yaml) resolve.
private let workspace: String = {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-fuzz-files-\(getpid())").path
    _ = try? ExampleWorkspace.write(to: directory, overwrite: true)
    return directory
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start = data, count > 0 else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
    _ = BatchFile.decode(text, file: workspace + "/batch.yaml", log: DiagnosticLog())
    _ = CurriculumFile.decode(text, file: workspace + "/curriculum.yaml", log: DiagnosticLog())
    _ = ParticipantsCSV.parse(text, file: workspace + "/participants.csv", log: DiagnosticLog())
    return 0
}

// SwiftPM links an executable's entry point as `FuzzFiles_main`: hand it to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                       _ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@_cdecl("FuzzFiles_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc, arguments = argv
    return runDriver(&count, &arguments) { fuzz($0, $1) }
}
