import Foundation

/// Left-aligned columns separated by two spaces: the tables `kelas` prints.
public enum TextTable {
    public static func render(_ rows: [[String]]) -> String {
        let widths = (0..<(rows.first?.count ?? 0)).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n") + "\n"
    }
}

/// A Markdown (GitHub) table: the first row is the header; `|` in a cell is escaped.
public enum MarkdownTable {
    public static func render(_ rows: [[String]]) -> String {
        guard let header = rows.first else { return "" }
        func line(_ cells: [String]) -> String { "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n" }
        return line(header) + "|" + header.map { _ in "---" }.joined(separator: "|") + "|\n" + rows.dropFirst().map(line).joined()
    }
}
