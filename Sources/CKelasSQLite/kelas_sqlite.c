#include <sqlite3.h>
#include "kelas_sqlite.h"

// sqlite3_config is a variadic C function, which Swift cannot call.
int kelas_sqlite_configure(void) {
    int code = sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    if (code != SQLITE_OK) return code;
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
