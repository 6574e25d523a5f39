import Foundation
import GRDB
import KelasCore

/// A value in the store that this version of Kelas cannot read: an unknown audience, kind or state, a date or a time
/// zone that does not parse. Reading it as some default (a message to the whole group, 1970, GMT) would let work be
/// recorded as done on a guess, so it is an error that names the row and the value.
public struct StoredValueError: Error, Sendable, Equatable, CustomStringConvertible {
    public var table: String
    /// The row's key (a message id, a batch id, `batch/prompt`).
    public var key: String
    public var column: String
    public var value: String

    public init(table: String, key: String, column: String, value: String) {
        self.table = table
        self.key = key
        self.column = column
        self.value = value
    }

    public var description: String {
        "the store's \(table) row `\(key)` has \(column) `\(value)`, which this version of Kelas cannot read "
            + "(written by a newer Kelas, or edited by hand): restore a backup (`kelas backup`), or run `kelas batch add` "
            + "with the batch's file again to rewrite its plan"
    }
}

extension Row {
    /// The text in `column` read by `parse`, or a `StoredValueError` naming the row when it does not parse.
    func parsed<T>(_ column: String, table: String, key: @autoclosure () -> String, _ parse: (String) -> T?) throws -> T {
        try Self.parsed(self[column], column: column, table: table, key: key(), parse)
    }

    /// The same for the column at `index` (named `column` in the error), for rows read by position.
    func parsed<T>(_ index: Int, column: @autoclosure () -> String, table: String, key: @autoclosure () -> String,
                   _ parse: (String) -> T?) throws -> T {
        try Self.parsed(self[index], column: column(), table: table, key: key(), parse)
    }

    private static func parsed<T>(_ text: String?, column: @autoclosure () -> String, table: String, key: @autoclosure () -> String,
                                  _ parse: (String) -> T?) throws -> T {
        guard let text, let value = parse(text) else {
            throw StoredValueError(table: table, key: key(), column: column(), value: text ?? "NULL")
        }
        return value
    }

    /// Like `parsed`, for a column that may be NULL (nil then); a non-NULL value that does not parse is an error.
    func parsedIfPresent<T>(_ column: String, table: String, key: @autoclosure () -> String, _ parse: (String) -> T?) throws -> T? {
        try Self.parsedIfPresent(self[column], column: column, table: table, key: key(), parse)
    }

    /// The same for the column at `index` (named `column` in the error).
    func parsedIfPresent<T>(_ index: Int, column: @autoclosure () -> String, table: String, key: @autoclosure () -> String,
                            _ parse: (String) -> T?) throws -> T? {
        try Self.parsedIfPresent(self[index], column: column(), table: table, key: key(), parse)
    }

    private static func parsedIfPresent<T>(_ text: String?, column: @autoclosure () -> String, table: String,
                                           key: @autoclosure () -> String,
                                           _ parse: (String) -> T?) throws -> T? {
        guard let text else { return nil }
        guard let value = parse(text) else { throw StoredValueError(table: table, key: key(), column: column(), value: text) }
        return value
    }
}

/// A batch's `delivery.sink` as the store holds it.
public enum BatchSink: Sendable, Hashable, CustomStringConvertible {
    /// The batch file names no sink.
    case unset
    case spec(SinkSpec)
    /// A stored spec this version cannot decode: its messages are held, never sent somewhere else.
    case unreadable(String)

    /// The spec, when the batch names a readable one.
    public var spec: SinkSpec? {
        if case .spec(let spec) = self { return spec }
        return nil
    }

    public var description: String {
        switch self {
        case .unset: "none named"
        case .spec(let spec): spec.description
        case .unreadable(let text): "unreadable (\(text))"
        }
    }

    static func encode(_ sink: SinkSpec) throws -> String {
        String(decoding: try JSONEncoder().encode(sink), as: UTF8.self)
    }

    static func decode(_ text: String?) -> BatchSink {
        guard let text else { return .unset }
        guard let spec = try? JSONDecoder().decode(SinkSpec.self, from: Data(text.utf8)) else { return .unreadable(text) }
        return .spec(spec)
    }
}

extension KelasDatabase {
    /// A batch's time zone as stored, or the error that names the batch and the zone.
    static func zone(_ row: Row, batchID: String) throws -> TimeZone {
        try row.parsed("timezone", table: "batch", key: batchID, KelasTimeZone.resolve)
    }

    /// A batch's start date as stored, or the error that names the batch and the date.
    static func start(_ row: Row, batchID: String) throws -> LocalDate {
        try row.parsed("start", table: "batch", key: batchID, LocalDate.init)
    }
}

/// A planned message's template as the store holds it: compact JSON.
enum StoredTemplate {
    static func encode(_ template: PlannedTemplate) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(template)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    static func decode(_ text: String) -> PlannedTemplate? {
        try? JSONDecoder().decode(PlannedTemplate.self, from: Data(text.utf8))
    }
}
