#ifndef FK_ALIGNED_MEMORY_H
#define FK_ALIGNED_MEMORY_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// 2 MiB: the x86-64 transparent huge page, and the alignment of large buffers.
#define FK_HUGE_PAGE_BYTES ((size_t)2 << 20)

/// The bytes `fk_aligned_alloc(bytes)` actually reserves: `bytes` rounded up to whole 2 MiB pages
/// from 2 MiB on, to 64 bytes below. Callers size their capacity to it (no slack is wasted).
size_t fk_aligned_size(size_t bytes);

/// At least `bytes` of uninitialised memory, 64-byte aligned; from 2 MiB on, 2 MiB aligned and
/// advised as transparent huge pages (Linux). NULL when `bytes` is 0 or memory is exhausted.
void *fk_aligned_alloc(size_t bytes);

/// Frees `p` from `fk_aligned_alloc(bytes)`, given the same `bytes`. NULL is ignored.
void fk_aligned_free(void *p, size_t bytes);

#ifdef __cplusplus
}
#endif

#endif
