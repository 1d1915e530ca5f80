// The int8 scan kernel of EmbeddingIndex/Gallery. C rather than Swift: Swift builds for baseline
// x86-64 (SSE2) and has no per-function target attribute, so AVX2 (about 5x faster here) is only
// reachable through a C function compiled for it and chosen at run time.
//
// Both kernels compute every bound with the same Float32 operations in the same order (no FMA
// contraction: see the pragma), so they agree bit for bit and the AVX2 one can be tested against
// the portable one.
#include "face_kernels.h"

#include <math.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#include <immintrin.h>
#define FK_X86 1
#endif

#pragma clang fp contract(off)

enum { FK_DIMS = 128, FK_BLOCK = 64 };

// The query-side constants of the bound.
typedef struct {
    float two_scale; // 2 * query scale
    float norm;      // query norm (squared norm of its approximation)
    float slack;     // query residual + rounding slack
} query_terms;

static query_terms terms(float query_scale, float query_norm, float slack) {
    query_terms t = {2.0f * query_scale, query_norm, slack};
    return t;
}

// One row's bound from its exact int32 dot product (|codes| <= 127, so at most 128 * 127 * 127, far
// from overflow). The float expression
//     norm_r + norm_q - 2 * scale_q * scale_r * dot
// is off by a few ulps of (norm_r + norm_q); 2e-6 * (norm_r + norm_q) (~16 ulps) is subtracted
// before the square root so the result stays a lower bound. One operation a statement, in the
// order the AVX2 kernel uses.
static inline float bound_of(int32_t dot, float scale, float norm, float residual, query_terms q) {
    float sum = norm + q.norm;
    float product = q.two_scale * scale;
    product = product * (float)dot;
    float squared = sum - product;
    float margin = 2e-6f * sum;
    squared = squared - margin;
    squared = squared > 0.0f ? squared : 0.0f; // and NaN -> 0: a NaN row is re-ranked, not lost
    float bound = sqrtf(squared) - residual;
    return bound - q.slack;
}

static inline int32_t dot_portable(const int8_t *row, const int8_t *query) {
    int32_t sum = 0;
    for (int i = 0; i < FK_DIMS; i++) sum += (int32_t)row[i] * (int32_t)query[i];
    return sum;
}

void fk_int8_lower_bounds_portable(const int8_t *codes, const float *scales, const float *norms,
                                   const float *residuals, long count, const int8_t *query, float query_scale,
                                   float query_norm, float slack, float *out) {
    query_terms q = terms(query_scale, query_norm, slack);
    for (long r = 0; r < count; r++) {
        out[r] = bound_of(dot_portable(codes + r * FK_DIMS, query), scales[r], norms[r], residuals[r], q);
    }
}

long fk_int8_candidates_portable(const fk_int8_rows *rows, long start, long end, const int8_t *query,
                                 float query_scale, float query_norm, float slack, float bound,
                                 long *out_rows, float *out_bounds, long capacity, long *next) {
    query_terms q = terms(query_scale, query_norm, slack);
    long found = 0;
    for (long r = start; r < end; r++) {
        float lower = bound_of(dot_portable(rows->codes + r * FK_DIMS, query), rows->scales[r], rows->norms[r],
                               rows->residuals[r], q);
        // `!(lower > bound)`: a NaN bound (overflowing magnitudes) is re-ranked, not lost.
        if (!(lower > bound)) {
            if (found == capacity) {
                *next = r;
                return found;
            }
            out_rows[found] = r;
            out_bounds[found] = lower;
            found++;
        }
    }
    *next = end;
    return found;
}

#ifdef FK_X86
// u8 x s8 products with vpmaddubsw: |query| as the unsigned operand, the query's sign moved onto
// the row (vpsignb). Both magnitudes are <= 127, so a pair sum (<= 32258) never saturates int16;
// vpmaddwd then widens to int32 before any two pair sums are added.
typedef struct {
    __m256i magnitude[4], sign[4];
} avx2_query;

__attribute__((target("avx2")))
static inline avx2_query avx2_query_of(const int8_t *query) {
    avx2_query q;
    for (int j = 0; j < 4; j++) {
        q.sign[j] = _mm256_loadu_si256((const __m256i *)(query + 32 * j));
        q.magnitude[j] = _mm256_abs_epi8(q.sign[j]);
    }
    return q;
}

// Eight int32 lanes whose sum is the row's dot product with the query.
__attribute__((target("avx2")))
static inline __m256i row_dot_lanes(const int8_t *row, const avx2_query *q) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i acc = _mm256_setzero_si256();
    for (int j = 0; j < 4; j++) {
        __m256i x = _mm256_loadu_si256((const __m256i *)(row + 32 * j));
        __m256i pairs = _mm256_maddubs_epi16(q->magnitude[j], _mm256_sign_epi8(x, q->sign[j]));
        acc = _mm256_add_epi32(acc, _mm256_madd_epi16(pairs, ones));
    }
    return acc;
}

// The dot products of 8 consecutive rows, lane r for row r: one horizontal-add tree for all eight
// (a per-row reduction costs about as much as the row's products).
__attribute__((target("avx2")))
static inline __m256i dots8(const int8_t *rows, const avx2_query *q) {
    __m256i a01 = _mm256_hadd_epi32(row_dot_lanes(rows, q), row_dot_lanes(rows + FK_DIMS, q));
    __m256i a23 = _mm256_hadd_epi32(row_dot_lanes(rows + 2 * FK_DIMS, q), row_dot_lanes(rows + 3 * FK_DIMS, q));
    __m256i a45 = _mm256_hadd_epi32(row_dot_lanes(rows + 4 * FK_DIMS, q), row_dot_lanes(rows + 5 * FK_DIMS, q));
    __m256i a67 = _mm256_hadd_epi32(row_dot_lanes(rows + 6 * FK_DIMS, q), row_dot_lanes(rows + 7 * FK_DIMS, q));
    // Per 128-bit half: rows 0-3 (a0123) and 4-7 (a4567), each the sum over that half's lanes.
    __m256i a0123 = _mm256_hadd_epi32(a01, a23);
    __m256i a4567 = _mm256_hadd_epi32(a45, a67);
    __m256i low = _mm256_permute2x128_si256(a0123, a4567, 0x20);
    __m256i high = _mm256_permute2x128_si256(a0123, a4567, 0x31);
    return _mm256_add_epi32(low, high);
}

// `bound_of` for 8 rows, the same operations in the same order.
__attribute__((target("avx2")))
static inline __m256 bounds8(__m256i dots, const float *scales, const float *norms, const float *residuals,
                             query_terms q) {
    __m256 sum = _mm256_add_ps(_mm256_loadu_ps(norms), _mm256_set1_ps(q.norm));
    __m256 product = _mm256_mul_ps(_mm256_set1_ps(q.two_scale), _mm256_loadu_ps(scales));
    product = _mm256_mul_ps(product, _mm256_cvtepi32_ps(dots));
    __m256 squared = _mm256_sub_ps(sum, product);
    __m256 margin = _mm256_mul_ps(_mm256_set1_ps(2e-6f), sum);
    squared = _mm256_sub_ps(squared, margin);
    squared = _mm256_max_ps(squared, _mm256_setzero_ps()); // NaN -> 0, as `squared > 0 ? squared : 0`
    __m256 bound = _mm256_sub_ps(_mm256_sqrt_ps(squared), _mm256_loadu_ps(residuals));
    return _mm256_sub_ps(bound, _mm256_set1_ps(q.slack));
}

__attribute__((target("avx2")))
static int32_t dot_avx2(const int8_t *row, const avx2_query *q) {
    __m256i acc = row_dot_lanes(row, q);
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
    return _mm_cvtsi128_si32(s);
}

__attribute__((target("avx2")))
static void lower_bounds_avx2(const int8_t *codes, const float *scales, const float *norms,
                              const float *residuals, long count, const int8_t *query, float query_scale,
                              float query_norm, float slack, float *out) {
    avx2_query aq = avx2_query_of(query);
    query_terms q = terms(query_scale, query_norm, slack);
    long r = 0;
    for (; r + 8 <= count; r += 8) {
        _mm256_storeu_ps(out + r, bounds8(dots8(codes + r * FK_DIMS, &aq), scales + r, norms + r, residuals + r, q));
    }
    for (; r < count; r++) out[r] = bound_of(dot_avx2(codes + r * FK_DIMS, &aq), scales[r], norms[r], residuals[r], q);
}

// Rows ahead of the scan whose codes are prefetched (0: none, the hardware prefetchers alone).
#ifndef FK_PREFETCH_ROWS
#define FK_PREFETCH_ROWS 0
#endif

__attribute__((target("avx2")))
static long candidates_avx2(const fk_int8_rows *rows, long start, long end, const int8_t *query,
                            float query_scale, float query_norm, float slack, float bound,
                            long *out_rows, float *out_bounds, long capacity, long *next) {
    avx2_query aq = avx2_query_of(query);
    query_terms q = terms(query_scale, query_norm, slack);
    const __m256 limit = _mm256_set1_ps(bound);
    long found = 0, r = start;
    for (; r + 8 <= end; r += 8) {
        const int8_t *codes = rows->codes + r * FK_DIMS;
        if (FK_PREFETCH_ROWS > 0) {
            for (int line = 0; line < 8 * FK_DIMS; line += 64) {
                _mm_prefetch((const char *)(codes + FK_PREFETCH_ROWS * FK_DIMS + line), _MM_HINT_T0);
            }
        }
        __m256 lower = bounds8(dots8(codes, &aq), rows->scales + r, rows->norms + r, rows->residuals + r, q);
        // Not greater, or unordered (NaN): the rows the bound cannot exclude.
        unsigned mask = (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(lower, limit, _CMP_NGT_UQ));
        if (mask == 0) continue;
        float lowers[8];
        _mm256_storeu_ps(lowers, lower);
        while (mask != 0) {
            int i = __builtin_ctz(mask);
            mask &= mask - 1;
            if (found == capacity) {
                *next = r + i;
                return found;
            }
            out_rows[found] = r + i;
            out_bounds[found] = lowers[i];
            found++;
        }
    }
    // The last rows (fewer than 8): the portable scan gives the same bounds (integer dot products,
    // the same Float32 steps in the same order).
    return found + fk_int8_candidates_portable(rows, r, end, query, query_scale, query_norm, slack, bound,
                                               out_rows + found, out_bounds + found, capacity - found, next);
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

long fk_int8_candidates(const fk_int8_rows *rows, long start, long end, const int8_t *query, float query_scale,
                        float query_norm, float slack, float bound, long *out_rows, float *out_bounds,
                        long capacity, long *next) {
#ifdef FK_X86
    if (choice() == 2) {
        return candidates_avx2(rows, start, end, query, query_scale, query_norm, slack, bound, out_rows, out_bounds,
                               capacity, next);
    }
#endif
    return fk_int8_candidates_portable(rows, start, end, query, query_scale, query_norm, slack, bound, out_rows,
                                       out_bounds, capacity, next);
}
