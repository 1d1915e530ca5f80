// The int8 scan kernel of EmbeddingIndex/Gallery. C rather than Swift: Swift builds for baseline
// x86-64 (SSE2) and has no per-function target attribute, so AVX2 (about 5x faster here) is only
// reachable through a C function compiled for it and chosen at run time.
#include "face_kernels.h"

#include <math.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#include <immintrin.h>
#define FK_X86 1
#endif

enum { FK_DIMS = 128, FK_BLOCK = 64 };

// The integer dot products -> distance lower bounds. `dots` holds exact int32 dot products
// (|codes| <= 127, so at most 128 * 127 * 127, far from overflow). The float expression
//     norm_r + norm_q - 2 * scale_r * scale_q * dot
// is off by a few ulps of (norm_r + norm_q); 2e-6 * (norm_r + norm_q) (~16 ulps) is subtracted
// before the square root so the result stays a lower bound.
static inline void finish(const int32_t *dots, const float *scales, const float *norms, const float *residuals,
                          long count, float query_scale, float query_norm, float slack, float *out) {
    for (long r = 0; r < count; r++) {
        float sum = norms[r] + query_norm;
        float squared = sum - 2.0f * query_scale * scales[r] * (float)dots[r] - 2e-6f * sum;
        out[r] = sqrtf(squared > 0.0f ? squared : 0.0f) - residuals[r] - slack;
    }
}

static void dots_portable(const int8_t *codes, long count, const int8_t *query, int32_t *out) {
    for (long r = 0; r < count; r++) {
        const int8_t *row = codes + r * FK_DIMS;
        int32_t sum = 0;
        for (int i = 0; i < FK_DIMS; i++) sum += (int32_t)row[i] * (int32_t)query[i];
        out[r] = sum;
    }
}

void fk_int8_lower_bounds_portable(const int8_t *codes, const float *scales, const float *norms,
                                   const float *residuals, long count, const int8_t *query, float query_scale,
                                   float query_norm, float slack, float *out) {
    int32_t dots[FK_BLOCK];
    for (long start = 0; start < count; start += FK_BLOCK) {
        long n = count - start < FK_BLOCK ? count - start : FK_BLOCK;
        dots_portable(codes + start * FK_DIMS, n, query, dots);
        finish(dots, scales + start, norms + start, residuals + start, n, query_scale, query_norm, slack, out + start);
    }
}

#ifdef FK_X86
// u8 x s8 products with vpmaddubsw: |query| as the unsigned operand, the query's sign moved onto
// the row (vpsignb). Both magnitudes are <= 127, so a pair sum (<= 32258) never saturates int16.
__attribute__((target("avx2")))
static void lower_bounds_avx2(const int8_t *codes, const float *scales, const float *norms,
                              const float *residuals, long count, const int8_t *query, float query_scale,
                              float query_norm, float slack, float *out) {
    __m256i magnitude[4], sign[4];
    for (int j = 0; j < 4; j++) {
        sign[j] = _mm256_loadu_si256((const __m256i *)(query + 32 * j));
        magnitude[j] = _mm256_abs_epi8(sign[j]);
    }
    const __m256i ones = _mm256_set1_epi16(1);
    int32_t dots[FK_BLOCK];
    for (long start = 0; start < count; start += FK_BLOCK) {
        long n = count - start < FK_BLOCK ? count - start : FK_BLOCK;
        const int8_t *block = codes + start * FK_DIMS;
        for (long r = 0; r < n; r++) {
            const int8_t *row = block + r * FK_DIMS;
            __m256i acc = _mm256_setzero_si256();
            for (int j = 0; j < 4; j++) {
                __m256i x = _mm256_loadu_si256((const __m256i *)(row + 32 * j));
                __m256i pairs = _mm256_maddubs_epi16(magnitude[j], _mm256_sign_epi8(x, sign[j]));
                acc = _mm256_add_epi32(acc, _mm256_madd_epi16(pairs, ones));
            }
            __m128i s = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
            s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
            s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
            dots[r] = _mm_cvtsi128_si32(s);
        }
        finish(dots, scales + start, norms + start, residuals + start, n, query_scale, query_norm, slack, out + start);
    }
}

static int cpu_has_avx2(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    const unsigned osxsave = 1u << 27, avx = 1u << 28;
    if ((c & (osxsave | avx)) != (osxsave | avx)) return 0;
    unsigned lo, hi;
    __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 6) != 6) return 0; // the OS saves XMM and YMM state
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return (b >> 5) & 1;
}
#endif

// 0: not checked yet, 1: portable, 2: AVX2. Threads that race here all store the same value.
static int kernel_choice = 0;

static int choice(void) {
    int chosen = __atomic_load_n(&kernel_choice, __ATOMIC_RELAXED);
    if (chosen == 0) {
#ifdef FK_X86
        chosen = cpu_has_avx2() ? 2 : 1;
#else
        chosen = 1;
#endif
        __atomic_store_n(&kernel_choice, chosen, __ATOMIC_RELAXED);
    }
    return chosen;
}

int fk_int8_kernel_is_avx2(void) { return choice() == 2; }

void fk_int8_lower_bounds(const int8_t *codes, const float *scales, const float *norms, const float *residuals,
                          long count, const int8_t *query, float query_scale, float query_norm, float slack,
                          float *out) {
#ifdef FK_X86
    if (choice() == 2) {
        lower_bounds_avx2(codes, scales, norms, residuals, count, query, query_scale, query_norm, slack, out);
        return;
    }
#endif
    fk_int8_lower_bounds_portable(codes, scales, norms, residuals, count, query, query_scale, query_norm, slack, out);
}
