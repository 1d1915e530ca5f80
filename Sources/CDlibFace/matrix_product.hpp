// Single-precision matrix products through the system BLAS. A translation unit of its own: dlib's
// headers declare the CBLAS functions with their own enum types, which clash with <cblas.h>.
#pragma once

namespace dlibface {

// C[m×n] = A[m×k] · B, all row-major; B is k×n, or n×k when `transpose_b` (then B's rows are the
// columns of the product). Leading dimensions are in elements.
void multiply(int m, int n, int k, const float *a, int lda, const float *b, int ldb, bool transpose_b, float *c, int ldc);

} // namespace dlibface
