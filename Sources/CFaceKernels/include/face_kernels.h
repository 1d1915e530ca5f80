#ifndef FACE_KERNELS_H
#define FACE_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Lower bounds on the Euclidean distance from a query to `count` int8-quantised 128-D rows.
///
/// Row r approximates its embedding as `scales[r] * codes[r*128 ..< r*128+128]`; `norms[r]` is the
/// squared norm of that approximation and `residuals[r]` an upper bound on its distance to the
/// exact embedding. The query is quantised the same way (`query`, `query_scale`, `query_norm`).
/// With d~ the distance between the two approximations, computed from the integer dot product,
///     out[r] = d~ - residuals[r] - slack   (d~ rounded down for Float32 arithmetic)
/// is at most the exact distance, by the triangle inequality, when `slack` is at least the query's
/// own residual. Picks an AVX2 kernel at run time when the CPU has one.
void fk_int8_lower_bounds(const int8_t *codes, const float *scales, const float *norms, const float *residuals,
                          long count, const int8_t *query, float query_scale, float query_norm, float slack,
                          float *out);

/// The same without SIMD intrinsics (the kernel on non-x86 CPUs and x86 ones without AVX2), bit for bit
/// the same bounds; for tests.
void fk_int8_lower_bounds_portable(const int8_t *codes, const float *scales, const float *norms,
                                   const float *residuals, long count, const int8_t *query, float query_scale,
                                   float query_norm, float slack, float *out);

/// The scanned columns of a row set: row r's 128 codes at `codes + 128 * r`, and its scale, norm and
/// residual (as for fk_int8_lower_bounds).
typedef struct {
    const int8_t *codes;
    const float *scales;
    const float *norms;
    const float *residuals;
} fk_int8_rows;

/// The rows in [start, end) whose lower bound (as fk_int8_lower_bounds computes it) is not greater
/// than `bound`, or is NaN: the rows a search with that bound must re-rank. Writes their indices to
/// `out_rows` and their lower bounds to `out_bounds`, in row order, at most `capacity` of them, and
/// returns how many. `*next` is where to resume: `end` when the range was finished, else the first
/// passing row that did not fit (the caller re-ranks the batch, tightens `bound`, and calls again
/// from `*next`). Picks the AVX2 kernel at run time when the CPU has one.
long fk_int8_candidates(const fk_int8_rows *rows, long start, long end, const int8_t *query, float query_scale,
                        float query_norm, float slack, float bound, long *out_rows, float *out_bounds,
                        long capacity, long *next);

/// The same without SIMD intrinsics; it returns exactly what the AVX2 kernel does. For tests.
long fk_int8_candidates_portable(const fk_int8_rows *rows, long start, long end, const int8_t *query,
                                 float query_scale, float query_norm, float slack, float bound,
                                 long *out_rows, float *out_bounds, long capacity, long *next);

/// 1 when fk_int8_lower_bounds uses the AVX2 kernel on this CPU, 0 for the portable one.
int fk_int8_kernel_is_avx2(void);

#ifdef __cplusplus
}
#endif

#endif
