import GRDB
import GRDBSQLite

/// One row of a bulk insert, bound and run through SQLite's C API on a statement GRDB prepared and caches.
///
/// For the few statements run once per message of a large import: building GRDB's `StatementArguments` for each row
/// (an array of existential values) costs more than SQLite's own work. Values are bound in order, 1 to n; `run()`
/// steps the statement once and resets it for the next row.
struct BulkRow {
    private let statement: SQLiteStatement
    private let connection: SQLiteConnection?
    private var index: Int32 = 0
    /// How many values are bound since the last `run()`.
    var bound: Int { Int(index) }
    /// SQLite copies the bytes before `sqlite3_bind_text` returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    /// SQLite reads the bytes where they are, until the value is bound again or cleared (`SQLITE_STATIC`).
    private static let unowned: sqlite3_destructor_type? = nil

    init(_ statement: Statement, in db: Database) {
        self.statement = statement.sqliteStatement
        self.connection = db.sqliteConnection
    }

    /// A row of `sql`, prepared once per connection (GRDB's statement cache).
    init(sql: String, in db: Database) throws {
        self.init(try db.cachedStatement(sql: sql), in: db)
    }

    mutating func bind(_ value: String?) {
        index += 1
        guard var value else {
            sqlite3_bind_null(statement, index)
            return
        }
        let (statement, index) = (statement, index)
        value.withUTF8 { bytes in
            guard let base = bytes.baseAddress, !bytes.isEmpty else {
                // An empty text, not NULL (which a nil pointer would bind).
                _ = sqlite3_bind_text(statement, index, "", 0, Self.transient)
                return
            }
            _ = UnsafeRawPointer(base).withMemoryRebound(to: CChar.self, capacity: bytes.count) { text in
                sqlite3_bind_text(statement, index, text, Int32(bytes.count), Self.transient)
            }
        }
    }

    /// The bytes of `buffer` in `span` as text (nil: NULL), read in place: the buffer must outlive the statement's next
    /// `run()`, and `clear()` must follow it before the buffer goes.
    mutating func bind(_ buffer: UnsafeBufferPointer<UInt8>, _ span: Range<Int>?) {
        index += 1
        guard let span else {
            sqlite3_bind_null(statement, index)
            return
        }
        guard let base = buffer.baseAddress, !span.isEmpty else {
            // An empty text, not NULL (which a nil pointer would bind).
            _ = sqlite3_bind_text(statement, index, "", 0, Self.transient)
            return
        }
        _ = UnsafeRawPointer(base + span.lowerBound).withMemoryRebound(to: CChar.self, capacity: span.count) { text in
            sqlite3_bind_text(statement, index, text, Int32(span.count), Self.unowned)
        }
    }

    /// Unbinds every value (after texts bound in place).
    mutating func clear() {
        sqlite3_clear_bindings(statement)
        index = 0
    }

    mutating func bind(_ value: Int?) {
        index += 1
        if let value { sqlite3_bind_int64(statement, index, sqlite3_int64(value)) } else { sqlite3_bind_null(statement, index) }
    }

    mutating func bind(_ value: Bool) {
        bind(value ? 1 : 0)
    }

    mutating func bind(_ value: Double) {
        index += 1
        sqlite3_bind_double(statement, index, value)
    }

    /// Any value GRDB can store, bound as GRDB would bind it.
    mutating func bind(_ value: (any DatabaseValueConvertible)?) {
        switch value?.databaseValue.storage ?? .null {
        case .null: index += 1; sqlite3_bind_null(statement, index)
        case .int64(let number): bind(Int(number))
        case .double(let number): bind(number)
        case .string(let text): bind(text)
        case .blob(let data):
            index += 1
            let (statement, index) = (statement, index)
            _ = data.withUnsafeBytes { bytes in sqlite3_bind_blob(statement, index, bytes.baseAddress, Int32(bytes.count), Self.transient) }
        }
    }

    /// Runs the statement once with the values bound, and makes it ready for the next row.
    mutating func run() throws {
        let code = sqlite3_step(statement)
        index = 0
        guard code == SQLITE_DONE else {
            let message = connection.flatMap { sqlite3_errmsg($0).map { String(cString: $0) } }
            sqlite3_reset(statement)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message)
        }
        sqlite3_reset(statement)
    }
}
