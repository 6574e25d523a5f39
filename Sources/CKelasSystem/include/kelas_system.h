#ifndef KELAS_SYSTEM_H
#define KELAS_SYSTEM_H

/// Fixes glibc's mmap threshold at `bytes` (glibc otherwise raises it, up to 32 MB, each time a large block is freed,
/// and later large blocks come from the heap, staying resident once freed). Returns 1 when set, 0 when not (another C
/// library: nothing changes). `mallopt` and `M_MMAP_THRESHOLD` come from <malloc.h>, which Swift does not import.
int kelas_fix_mmap_threshold(int bytes);

#endif
