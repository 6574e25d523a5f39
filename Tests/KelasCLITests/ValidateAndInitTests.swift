import Foundation
import Testing
@testable import KelasCore

@Suite("kelas validate and kelas init")
struct ValidateAndInitTests {
    func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("kelas-cli-\(UUID().uuidString)")
    }

    @Test("the example in the repository is exactly what `kelas init` writes")
    func examplesMatchInit() throws {
        let folder = KelasBinary.root.appendingPathComponent("examples/\(ExampleWorkspace.folderName)")
        for (name, text) in ExampleWorkspace.files {
            let onDisk = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            #expect(onDisk == text, "examples/\(ExampleWorkspace.folderName)/\(name) differs; regenerate it with `kelas init --force`")
        }
    }

    @Test("init writes a workspace that validates and plans, then refuses to overwrite it")
    func initWorkspace() throws {
        let directory = temporaryDirectory()
        let first = try KelasBinary.run(["init", directory.path])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("wrote \(directory.path)/batch.yaml"))
        let validate = try KelasBinary.run(["validate", directory.appendingPathComponent("batch.yaml").path])
        #expect(validate.status == 0)
        #expect(validate.stdout.hasSuffix("no problems\n"))
        let before = try Data(contentsOf: directory.appendingPathComponent("batch.yaml"))
        try Data("edited".utf8).write(to: directory.appendingPathComponent("participants.csv"))
        let again = try KelasBinary.run(["init", directory.path])
        #expect(again.status != 0)
        #expect(again.stderr.contains("already exist"))
        #expect(try String(contentsOf: directory.appendingPathComponent("participants.csv"), encoding: .utf8) == "edited")
        #expect(try Data(contentsOf: directory.appendingPathComponent("batch.yaml")) == before)
    }

    @Test("validate prints every problem as file:line:column with a fix, and exits 1")
    func validateErrors() throws {
        let directory = temporaryDirectory()
        _ = try ExampleWorkspace.write(to: directory.path, overwrite: false)
        let batch = directory.appendingPathComponent("batch.yaml")
        var text = try String(contentsOf: batch, encoding: .utf8)
        text = text.replacingOccurrences(of: "timezone: Asia/Jakarta", with: "timezone: Asia/Jakrta")
            .replacingOccurrences(of: "district: Gresik", with: "distrct: Gresik")
        try Data(text.utf8).write(to: batch)
        let result = try KelasBinary.run(["validate", batch.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(batch.path):5:1: error: unknown key `distrct` in the batch\n    fix: did you mean `district`?"))
        #expect(result.stderr.contains("\(batch.path):6:11: error: unknown time zone `Asia/Jakrta`"))
        #expect(result.stdout.contains("2 errors"))

        // The same problems in Indonesian: `--lang id`, or KELAS_LANG for the whole run.
        for run in [try KelasBinary.run(["validate", "--lang", "id", batch.path]),
                    try KelasBinary.run(["validate", batch.path], environment: ["KELAS_LANG": "id"])] {
            #expect(run.status == 1)
            #expect(run.stderr.contains("\(batch.path):5:1: kesalahan: kunci `distrct` tidak dikenal di angkatan\n    perbaikan: maksudnya `district`?"),
                    "\(run.stderr)")
            #expect(run.stderr.contains("\(batch.path):6:11: kesalahan: zona waktu `Asia/Jakrta` tidak dikenal"))
            #expect(run.stdout.contains("2 kesalahan"))
            #expect(!run.stderr.contains("⟦") && !run.stderr.contains("error:"))
        }
        let unknown = try KelasBinary.run(["validate", batch.path], environment: ["KELAS_LANG": "fr"])
        #expect(unknown.status != 0 && unknown.stderr.contains("KELAS_LANG is `fr`"))
    }

    @Test("validate tells instrument and indicator files by their content and checks them")
    func instrumentsAndIndicators() throws {
        let directory = temporaryDirectory()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let indicators = directory.appendingPathComponent("indicators.yaml")
        try Data("""
            indicators:
              - id: high
                name: { id: Tinggi, en: High }
                rule:
                  band: { test: post, is: highest }

            """.utf8).write(to: indicators)
        let instrument = directory.appendingPathComponent("sikap.yaml")
        try Data("""
            id: sikap
            name: { id: Sikap, en: Attitudes }
            options: agreement
            statements:
              - { id: rumah, text: { id: "Rumah.", en: "Home." } }
              - { id: akses, text: { id: "Akses.", en: "Access." }, reverse: true }
            bands:
              - { name: { id: rendah, en: low }, from: 2, to: 4 }
              - { name: { id: tinggi, en: high }, from: 5, to: 6 }

            """.utf8).write(to: instrument)
        let good = try KelasBinary.run(["validate", indicators.path, instrument.path])
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdout.contains("1 indicators (high)") && good.stdout.contains("instrument sikap, 2 statements, 3 options"), "\(good.stdout)")
        try Data(String(decoding: try Data(contentsOf: indicators), as: UTF8.self).replacingOccurrences(of: "band:", with: "bands:").utf8)
            .write(to: indicators)
        let bad = try KelasBinary.run(["validate", indicators.path])
        #expect(bad.status == 1 && bad.stderr.contains("indicators.yaml:5:7: error: unknown rule `bands`") && bad.stderr.contains("did you mean `band`?"),
                "\(bad.stderr)")
    }

    @Test("plan on an invalid batch prints the errors and exits 1")
    func planInvalid() throws {
        let result = try KelasBinary.run(["plan", "/nonexistent/batch.yaml"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("/nonexistent/batch.yaml:1:1: error: no file at /nonexistent/batch.yaml"))
    }

    @Test("--help teaches the commands")
    func help() throws {
        let result = try KelasBinary.run(["--help"])
        #expect(result.stdout.contains("kelas init my-batch"))
        for command in ["init", "validate", "plan"] { #expect(result.stdout.contains(command)) }
    }
}
