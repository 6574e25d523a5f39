import Foundation
import Testing

@Suite("kelas simulate")
struct SimulateCommandTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kelas-simulate-\(UUID().uuidString)")

    func path(_ name: String) throws -> String {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent(name).path
    }

    @Test("the example batch with a seed: a summary, the real report, and the same export for the same seed")
    func exampleWeek() throws {
        let first = try path("a.txt"), second = try path("b.txt"), page = try path("week.html")
        let run = try KelasBinary.run(["simulate", "--seed", "7", "--report", "--export-chat", first, "--html", page, "--transcript"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("simulated gresik-2021-07: 24 participants, seed 7 (replay with --seed 7)\n"))
        #expect(run.stdout.contains("BATCH") && run.stdout.contains("percentages are of registered participants (24 in 1 batch)"))
        #expect(run.stdout.contains("── Senin, 5 Juli 2021 ──") && run.stdout.contains("🎤 "))
        _ = try KelasBinary.run(["simulate", "--seed", "7", "--export-chat", second])
        let exported = try String(contentsOfFile: first, encoding: .utf8)
        #expect(exported == (try String(contentsOfFile: second, encoding: .utf8)))
        #expect(exported.contains("(file terlampir)") && exported.hasPrefix("05/07/21 06.30 - Pesan dan panggilan"))
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.hasPrefix("<!doctype html>") && html.contains("class=\"voice\"") && html.contains("Completion summary"))

        // The export reads back with `kelas ingest chat`, every author matched.
        let database = try path("kelas.sqlite")
        _ = try KelasBinary.run(["batch", "add", "examples/gresik-2021-07/batch.yaml", "--database", database])
        let ingest = try KelasBinary.run(["ingest", "chat", first, "--batch", "gresik-2021-07", "--database", database])
        #expect(ingest.status == 0 && !ingest.stdout.contains("unmatched"), "\(ingest.stdout)\(ingest.stderr)")
    }

    @Test("a simulation refuses to mix into a store that has the batch; a bad scenario names its line")
    func errors() throws {
        let database = try path("real.sqlite")
        _ = try KelasBinary.run(["batch", "add", "examples/gresik-2021-07/batch.yaml", "--database", database])
        let mixed = try KelasBinary.run(["simulate", "--seed", "1", "--database", database])
        #expect(mixed.status == 1 && mixed.stderr.contains("already in \(database)"))
        let scenario = try path("bad.yaml")
        try Data("participants:\n  answer: often\n".utf8).write(to: URL(fileURLWithPath: scenario))
        let bad = try KelasBinary.run(["simulate", "--seed", "1", "--scenario", scenario])
        #expect(bad.status == 1 && bad.stderr.contains("\(scenario):2:") && bad.stderr.contains("`answer` is a probability"))
        let both = try KelasBinary.run(["simulate", "--preset", "programme", "--transcript"])
        #expect(both.status != 0 && both.stderr.contains("work on one batch"))
    }

    @Test("the programme preset prints its totals beside the reported figures")
    func programme() throws {
        let run = try KelasBinary.run(["simulate", "--preset", "programme", "--seed", "1", "--report"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("77 batches, 2029 participants"))
        #expect(run.stdout.contains("reported by the programme: agree 87.4%, champions 50.6%"))
        #expect(run.stdout.contains("DISTRICT") && run.stdout.contains("Bangkalan") && run.stdout.contains("PWD"))
    }
}
