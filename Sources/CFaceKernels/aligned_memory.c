// Memory for the scanned and re-ranked rows of EmbeddingIndex. A 1M-row scan streams 128 MiB of int8
// codes: with 4 KiB pages that is 32,768 TLB entries' worth, and the hardware prefetchers stop at
// every 4 KiB boundary. Large buffers are therefore 2 MiB-aligned anonymous mappings advised as
// transparent huge pages (`MADV_HUGEPAGE`; with THP in "madvise" mode, the default on Debian, only
// advised regions get them). Small buffers (under 2 MiB) stay ordinary 64-byte-aligned heap memory,
// so a tiny index does not pin a 2 MiB page per array.
#include "aligned_memory.h"

#include <stdint.h>
#include <stdlib.h>

#if defined(__linux__)
#include <sys/mman.h>
#define FK_MMAP 1
#endif

static size_t round_up(size_t bytes, size_t to) { return (bytes + to - 1) / to * to; }

size_t fk_aligned_size(size_t bytes) {
    return bytes >= FK_HUGE_PAGE_BYTES ? round_up(bytes, FK_HUGE_PAGE_BYTES) : round_up(bytes, 64);
}

void *fk_aligned_alloc(size_t bytes) {
    if (bytes == 0) return NULL;
    size_t size = fk_aligned_size(bytes);
#ifdef FK_MMAP
    if (size >= FK_HUGE_PAGE_BYTES) {
        // Map one huge page more than needed, then unmap the unaligned head and the tail.
        size_t mapped = size + FK_HUGE_PAGE_BYTES;
        void *raw = mmap(NULL, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (raw == MAP_FAILED) return NULL;
        uintptr_t start = (uintptr_t)raw, aligned = round_up(start, FK_HUGE_PAGE_BYTES);
        if (aligned > start) munmap(raw, aligned - start);
        size_t tail = (start + mapped) - (aligned + size);
        if (tail > 0) munmap((void *)(aligned + size), tail);
#ifdef MADV_HUGEPAGE
        // Advice only: without THP the buffer still works, on 4 KiB pages.
        madvise((void *)aligned, size, MADV_HUGEPAGE);
#endif
        return (void *)aligned;
    }
#endif
    void *p = NULL;
    if (posix_memalign(&p, 64, size) != 0) return NULL;
    return p;
}

void fk_aligned_free(void *p, size_t bytes) {
    if (p == NULL) return;
#ifdef FK_MMAP
    size_t size = fk_aligned_size(bytes);
    if (size >= FK_HUGE_PAGE_BYTES) {
        munmap(p, size);
        return;
    }
#else
    (void)bytes;
#endif
    free(p);
}
