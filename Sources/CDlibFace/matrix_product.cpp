#include "matrix_product.hpp"
#include <cblas.h>

namespace dlibface {

void multiply(int m, int n, int k, const float *a, int lda, const float *b, int ldb, bool transpose_b, float *c, int ldc) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, transpose_b ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a, lda, b, ldb,
                0.0f, c, ldc);
}

} // namespace dlibface
