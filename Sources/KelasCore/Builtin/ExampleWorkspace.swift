/// The ready example workspace that `kelas init` writes and `examples/gresik-2021-07/` holds.
///
/// A test checks that the folder in the repository and these texts are the same.
public enum ExampleWorkspace {
    public static let folderName = "gresik-2021-07"

    /// File name → contents.
    public static var files: [String: String] {
        [
            "batch.yaml": batch + "\n",
            "participants.csv": participants + "\n",
            "curriculum.yaml": BuiltinCurricula.adilGender + "\n",
        ]
    }

    static let batch = #"""
# A Kelas batch: one WhatsApp group for one week. `kelas validate` checks it, `kelas plan` prints its messages.
id: gresik-2021-07
name: Pelatihan Adil Gender — Gresik angkatan 7
programme: WEE                  # programme strand (free text)
district: Gresik
timezone: Asia/Jakarta          # WIB; Asia/Makassar for WITA, Asia/Jayapura for WIT
start: 2021-07-05               # day 1 (a Monday)
language: id                    # id | en: which text of the curriculum to send
curriculum: curriculum.yaml     # a file beside this one, or a built-in id such as adil-gender
delivery:
  mode: group                   # group: one message to the WhatsApp group | fanout: one per participant
  window: "07:00-21:00"         # nothing is sent outside it
  quiet: ["Fri 11:30-13:00", "17:30-18:15"]   # Friday prayer, Maghrib
trainers:
  - { name: Iva Hasanah, phone: "+6281234567001" }
  - { name: Winoto, phone: "0812-3456-7002" }
admin: { name: Rumi, phone: "+6281234567003" }
participants: participants.csv
"""#

    static let participants = #"""
name,phone,district,disability,alias
Ahmad Fauzi,0812-3456-7110,Gresik,,Fauzi Gresik
Budi Santoso,+62 812 3456 7111,Gresik,,
Cahyo Prasetyo,081234567 112,Gresik,,
Dedi Kurniawan,+628123456 7113,Gresik,seeing,
Eko Wahyudi,0812-3456-7114,Gresik,,
Fajar Hidayat,+62 812 3456 7115,Gresik,,
Gunawan Saputra,081234567 116,Gresik,,
Hadi Susanto,+628123456 7117,Gresik,,
Imam Syafi'i,0812-3456-7118,Gresik,hearing;communication,
Joko Purnomo,+62 812 3456 7119,Gresik,,
Khoirul Anam,081234567 120,Gresik,,
Lukman Hakim,+628123456 7121,Gresik,,
Muhammad Rizki,0812-3456-7122,Gresik,,Rizki
Nur Hasan,+62 812 3456 7123,Gresik,,
Opik Taufik,081234567 124,Gresik,,
Puji Raharjo,+628123456 7125,Gresik,walking,
Qomarudin,0812-3456-7126,Gresik,,
Rudi Hartono,+62 812 3456 7127,Gresik,,
Slamet Riyadi,081234567 128,Gresik,,
Teguh Wibowo,+628123456 7129,Gresik,,
Umar Faruq,0812-3456-7130,Gresik,,
Wahyu Setiawan,+62 812 3456 7131,Gresik,,
Yusuf Maulana,081234567 132,Gresik,,
Zainal Abidin,+628123456 7133,Gresik,,
"""#
}

import Foundation

/// Why `kelas init` could not write the workspace.
public struct WorkspaceWriteError: Error, CustomStringConvertible {
    public var phrase: Phrase
    public var description: String { phrase.description }
}

extension ExampleWorkspace {
    /// Writes the example files into `directory` (created if missing); returns the paths written.
    ///
    /// Refuses, before writing anything, when a file exists and `overwrite` is false: nothing is half-written.
    public static func write(to directory: String, overwrite: Bool) throws -> [String] {
        let manager = FileManager.default
        let targets = files.keys.sorted().map { ($0, (directory as NSString).appendingPathComponent($0)) }
        if !overwrite {
            let existing = targets.map(\.1).filter { manager.fileExists(atPath: $0) }
            if !existing.isEmpty {
                throw WorkspaceWriteError(phrase: Phrase(existing.count == 1 ? "init.exists.one" : "init.exists.many",
                                                         ["files": existing.joined(separator: ", ")]))
            }
        }
        do {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for (name, path) in targets {
                try Data((files[name] ?? "").utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            }
        } catch {
            throw WorkspaceWriteError(phrase: Phrase("init.cannotWrite", ["folder": directory, "problem": error.localizedDescription]))
        }
        return targets.map(\.1)
    }
}
