#include <stdlib.h>
#include "kelas_system.h"
#if defined(__GLIBC__)
#include <malloc.h>
#endif

int kelas_fix_mmap_threshold(int bytes) {
#if defined(__GLIBC__)
    return mallopt(M_MMAP_THRESHOLD, bytes);
#else
    (void)bytes;
    return 0;
#endif
}
