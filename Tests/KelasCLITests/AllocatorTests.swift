import CKelasSystem
import Testing

@Suite("The C library's allocator")
struct AllocatorTests {
    @Test("kelas simulate can fix glibc's mmap threshold (its large arrays are given back once freed)")
    func mmapThreshold() {
        #if os(Linux)
        // glibc's mallopt answers 1 when it took the setting (the function answers 0 without glibc).
        #expect(kelas_fix_mmap_threshold(128 * 1024) == 1)
        #endif
    }
}
