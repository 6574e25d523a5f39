#ifndef KELAS_SQLITE_H
#define KELAS_SQLITE_H

/// Puts SQLite in multi-thread mode, without memory statistics, before it is first used: each connection is then
/// used by one thread at a time (GRDB's serialized access guarantees it), so SQLite takes no lock of its own around
/// every call. Returns SQLite's result code (SQLITE_MISUSE when SQLite was already in use: nothing changes).
int kelas_sqlite_configure(void);

#endif
