/// Curricula that ship inside the `kelas` binary, so a batch can name one without a file.
public enum BuiltinCurricula {
    public static let all: [String: String] = ["adil-gender": adilGender]

    public static var ids: [String] { all.keys.sorted() }

    public static func text(for id: String) -> String? { all[id] }
}
