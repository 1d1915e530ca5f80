// YuNet's layers. The shim is built for baseline x86-64, so the AVX2/FMA bodies carry a target
// attribute and are chosen at run time; the portable bodies compute the same sums in scalar code.
#include "yunet_kernels.hpp"
#include "row_split.hpp"
#include <algorithm>
#include <cmath>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace dlibface::yunet_kernels {

void FeatureMap::shape(int new_height, int new_width, int new_channels) {
    height = new_height;
    width = new_width;
    channels = new_channels;
    const size_t row = size_t(width + 2) * size_t(channels);
    const size_t needed = row * size_t(height + 2);
    if (data.size() < needed) data.resize(needed);
    std::fill_n(data.begin(), row, 0.0f);
    std::fill_n(data.begin() + std::ptrdiff_t(row * size_t(height + 1)), row, 0.0f);
    for (int y = 1; y <= height; ++y) {
        float *line = data.data() + row * size_t(y);
        std::fill_n(line, channels, 0.0f);
        std::fill_n(line + size_t(width + 1) * size_t(channels), channels, 0.0f);
    }
}

namespace {

// Per thread: each engine runs on a thread of its own, and a test forcing the portable loops on one
// must not change what another engine runs meanwhile.
thread_local bool portable_forced = false;

bool cpu_has_avx2() {
#if defined(__x86_64__)
    static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return has;
#else
    return false;
#endif
}

// ---- portable bodies -----------------------------------------------------------------------

void stem_portable(const FeatureMap &in, const float *weights, const float *bias, FeatureMap &out, int first, int end) {
    for (int y = first; y < end; ++y) {
        for (int x = 0; x < out.width; ++x) {
            float sum[16];
            std::copy_n(bias, 16, sum);
            for (int ky = 0; ky < 3; ++ky) {
                for (int kx = 0; kx < 3; ++kx) {
                    const float *src = in.pixel(2 * y - 1 + ky, 2 * x - 1 + kx);
                    const float *w = weights + (ky * 3 + kx) * 3 * 16;
                    for (int c = 0; c < 3; ++c) {
                        for (int o = 0; o < 16; ++o) sum[o] += src[c] * w[c * 16 + o];
                    }
                }
            }
            float *dst = out.pixel(y, x);
            for (int o = 0; o < 16; ++o) dst[o] = std::max(sum[o], 0.0f);
        }
    }
}

void pointwise_portable(const FeatureMap &in, const float *weights, const float *bias, FeatureMap &out, int first,
                        int end) {
    const int cin = in.channels, cout = out.channels;
    for (int y = first; y < end; ++y) {
        for (int x = 0; x < in.width; ++x) {
            const float *src = in.pixel(y, x);
            float *dst = out.pixel(y, x);
            std::copy_n(bias, cout, dst);
            for (int c = 0; c < cin; ++c) {
                const float value = src[c];
                const float *w = weights + size_t(c) * size_t(cout);
                for (int o = 0; o < cout; ++o) dst[o] += value * w[o];
            }
        }
    }
}

void depthwise_portable(const FeatureMap &in, const float *weights, const float *bias, bool relu, FeatureMap &out,
                        int first, int end) {
    const int channels = in.channels;
    for (int y = first; y < end; ++y) {
        for (int x = 0; x < in.width; ++x) {
            float *dst = out.pixel(y, x);
            std::copy_n(bias, channels, dst);
            for (int ky = 0; ky < 3; ++ky) {
                for (int kx = 0; kx < 3; ++kx) {
                    const float *src = in.pixel(y - 1 + ky, x - 1 + kx);
                    const float *w = weights + (ky * 3 + kx) * channels;
                    for (int c = 0; c < channels; ++c) dst[c] += src[c] * w[c];
                }
            }
            if (relu) {
                for (int c = 0; c < channels; ++c) dst[c] = std::max(dst[c], 0.0f);
            }
        }
    }
}

// ---- AVX2 bodies ---------------------------------------------------------------------------
#if defined(__x86_64__)

__attribute__((target("avx2,fma"))) void stem_avx2(const FeatureMap &in, const float *weights, const float *bias,
                                                   FeatureMap &out, int first, int end) {
    const __m256 zero = _mm256_setzero_ps();
    for (int y = first; y < end; ++y) {
        for (int x = 0; x < out.width; ++x) {
            __m256 low = _mm256_loadu_ps(bias), high = _mm256_loadu_ps(bias + 8);
            for (int ky = 0; ky < 3; ++ky) {
                // The three taps of a row are 9 consecutive floats of the input.
                const float *src = in.pixel(2 * y - 1 + ky, 2 * x - 1);
                const float *w = weights + ky * 9 * 16;
                for (int t = 0; t < 9; ++t) {
                    const __m256 value = _mm256_broadcast_ss(src + t);
                    low = _mm256_fmadd_ps(value, _mm256_loadu_ps(w + t * 16), low);
                    high = _mm256_fmadd_ps(value, _mm256_loadu_ps(w + t * 16 + 8), high);
                }
            }
            float *dst = out.pixel(y, x);
            _mm256_storeu_ps(dst, _mm256_max_ps(low, zero));
            _mm256_storeu_ps(dst + 8, _mm256_max_ps(high, zero));
        }
    }
}

// `Pixels` consecutive pixels times 16 output channels, accumulated in registers over every input channel.
template <int Pixels>
__attribute__((target("avx2,fma"))) inline void pointwise_block(const float *src, int cin, const float *weights, int cout,
                                                                const float *bias, float *dst) {
    __m256 low[Pixels], high[Pixels];
    const __m256 bias_low = _mm256_loadu_ps(bias), bias_high = _mm256_loadu_ps(bias + 8);
    for (int p = 0; p < Pixels; ++p) {
        low[p] = bias_low;
        high[p] = bias_high;
    }
    for (int c = 0; c < cin; ++c) {
        const __m256 w_low = _mm256_loadu_ps(weights + size_t(c) * size_t(cout));
        const __m256 w_high = _mm256_loadu_ps(weights + size_t(c) * size_t(cout) + 8);
        for (int p = 0; p < Pixels; ++p) {
            const __m256 value = _mm256_broadcast_ss(src + p * cin + c);
            low[p] = _mm256_fmadd_ps(value, w_low, low[p]);
            high[p] = _mm256_fmadd_ps(value, w_high, high[p]);
        }
    }
    for (int p = 0; p < Pixels; ++p) {
        _mm256_storeu_ps(dst + p * cout, low[p]);
        _mm256_storeu_ps(dst + p * cout + 8, high[p]);
    }
}

__attribute__((target("avx2,fma"))) void pointwise_avx2(const FeatureMap &in, const float *weights, const float *bias,
                                                       FeatureMap &out, int first, int end) {
    const int cin = in.channels, cout = out.channels, width = in.width;
    for (int y = first; y < end; ++y) {
        const float *src = in.pixel(y, 0);
        float *dst = out.pixel(y, 0);
        for (int o = 0; o < cout; o += 16) {
            int x = 0;
            for (; x + 6 <= width; x += 6) {
                pointwise_block<6>(src + x * cin, cin, weights + o, cout, bias + o, dst + x * cout + o);
            }
            for (; x < width; ++x) pointwise_block<1>(src + x * cin, cin, weights + o, cout, bias + o, dst + x * cout + o);
        }
    }
}

// `Pixels` consecutive pixels times 8 channels: each row's three weights are loaded once for all of
// them (a pixel alone loads 9 weights and 9 inputs per 9 multiply-adds). The sums keep the portable
// body's order, so the result is the same.
template <int Pixels>
__attribute__((target("avx2,fma"))) inline void depthwise_block(const float *const rows[3], int channels, const float *weights,
                                                                const float *bias, bool relu, float *dst) {
    __m256 sum[Pixels];
    for (int p = 0; p < Pixels; ++p) sum[p] = _mm256_loadu_ps(bias);
    for (int ky = 0; ky < 3; ++ky) {
        const float *src = rows[ky], *w = weights + ky * 3 * channels;
        const __m256 left = _mm256_loadu_ps(w), middle = _mm256_loadu_ps(w + channels), right = _mm256_loadu_ps(w + 2 * channels);
        for (int p = 0; p < Pixels; ++p) {
            sum[p] = _mm256_fmadd_ps(_mm256_loadu_ps(src + p * channels), left, sum[p]);
            sum[p] = _mm256_fmadd_ps(_mm256_loadu_ps(src + (p + 1) * channels), middle, sum[p]);
            sum[p] = _mm256_fmadd_ps(_mm256_loadu_ps(src + (p + 2) * channels), right, sum[p]);
        }
    }
    const __m256 zero = _mm256_setzero_ps();
    for (int p = 0; p < Pixels; ++p) _mm256_storeu_ps(dst + p * channels, relu ? _mm256_max_ps(sum[p], zero) : sum[p]);
}

// Pixels x, x + 1, … of one row, every channel block; `above`, `row` and `below` start one pixel left of the row.
template <int Pixels>
__attribute__((target("avx2,fma"))) inline void depthwise_pixels(const float *above, const float *row, const float *below, int x,
                                                                 int channels, const float *weights, const float *bias, bool relu,
                                                                 float *dst) {
    const size_t at = size_t(x) * size_t(channels);
    for (int c = 0; c < channels; c += 8) {
        const float *const rows[3] = {above + at + c, row + at + c, below + at + c};
        depthwise_block<Pixels>(rows, channels, weights + c, bias + c, relu, dst + at + c);
    }
}

__attribute__((target("avx2,fma"))) void depthwise_avx2(const FeatureMap &in, const float *weights, const float *bias,
                                                       bool relu, FeatureMap &out, int first, int end) {
    const int channels = in.channels;
    for (int y = first; y < end; ++y) {
        const float *above = in.pixel(y - 1, -1), *row = in.pixel(y, -1), *below = in.pixel(y + 1, -1);
        float *dst = out.pixel(y, 0);
        int x = 0;
        for (; x + 2 <= in.width; x += 2) depthwise_pixels<2>(above, row, below, x, channels, weights, bias, relu, dst);
        if (x < in.width) depthwise_pixels<1>(above, row, below, x, channels, weights, bias, relu, dst);
    }
}

#endif

bool use_avx2() { return cpu_has_avx2() && !portable_forced; }

} // namespace

bool vectorized() { return use_avx2(); }

void force_portable(bool portable) { portable_forced = portable; }

// Each layer's rows go through row_split::rows: whole on this thread, or in chunks shared with the helper.
// The body is chosen here, on the engine's thread, so the helper runs the same one.

void load_rgb(const uint8_t *rgb, int width, int height, size_t row_bytes, FeatureMap &out) {
    row_split::rows(out.height, [&](int first, int end) {
        for (int y = first; y < end; ++y) {
            float *dst = out.pixel(y, 0);
            const int copied = y < height ? std::min(width, out.width) : 0;
            const uint8_t *src = rgb + size_t(y) * row_bytes;
            for (int i = 0; i < copied * 3; ++i) dst[i] = float(src[i]);
            std::fill(dst + copied * 3, dst + out.width * 3, 0.0f);
        }
    });
}

namespace {

// Area averaging along one axis, `source` samples down to `target` (<= source): target sample o covers
// source [o * s, (o + 1) * s) with s = source / target, and each source sample weighs its overlap / s.
struct AreaTaps {
    std::vector<int> first, count; // per target sample: its first source sample and how many it covers
    std::vector<float> weights;    // per target sample, `most` slots (the first `count` used)
    int most = 0;
};

AreaTaps area_taps(int source, int target) {
    AreaTaps taps;
    const double scale = double(source) / double(target);
    taps.most = int(std::ceil(scale)) + 1;
    taps.first.resize(size_t(target));
    taps.count.resize(size_t(target));
    taps.weights.assign(size_t(target) * size_t(taps.most), 0.0f);
    for (int o = 0; o < target; ++o) {
        const double begin = o * scale, end = std::min(double(source), (o + 1) * scale);
        const int first = int(std::floor(begin)), last = std::min(source, int(std::ceil(end))) - 1;
        taps.first[size_t(o)] = first;
        taps.count[size_t(o)] = last - first + 1;
        for (int i = first; i <= last; ++i) {
            const double overlap = std::min(end, double(i + 1)) - std::max(begin, double(i));
            taps.weights[size_t(o * taps.most + i - first)] = float(overlap / scale);
        }
    }
    return taps;
}

// One output line's columns from a vertically averaged source line (padded past its end with
// `Most` zero pixels): every target pixel sums `Most` taps, the ones past its `count` weighing 0,
// so the loop has a fixed length the compiler unrolls.
template <int Most> void area_columns(const float *line, const AreaTaps &columns, int filled, float *dst) {
    for (int x = 0; x < filled; ++x) {
        const float *src = line + size_t(columns.first[size_t(x)]) * 3;
        const float *weights = columns.weights.data() + size_t(x) * Most;
        float red = 0, green = 0, blue = 0;
        for (int t = 0; t < Most; ++t) {
            red += weights[t] * src[t * 3];
            green += weights[t] * src[t * 3 + 1];
            blue += weights[t] * src[t * 3 + 2];
        }
        dst[x * 3] = red;
        dst[x * 3 + 1] = green;
        dst[x * 3 + 2] = blue;
    }
}

void area_columns(const float *line, const AreaTaps &columns, int filled, float *dst) {
    switch (columns.most) {
    case 2: return area_columns<2>(line, columns, filled, dst);
    case 3: return area_columns<3>(line, columns, filled, dst);
    case 4: return area_columns<4>(line, columns, filled, dst);
    default: break;
    }
    for (int x = 0; x < filled; ++x) {
        float sum[3] = {0, 0, 0};
        const float *src = line + size_t(columns.first[size_t(x)]) * 3;
        const float *weights = columns.weights.data() + size_t(x * columns.most);
        for (int t = 0; t < columns.count[size_t(x)]; ++t) {
            for (int c = 0; c < 3; ++c) sum[c] += weights[t] * src[t * 3 + c];
        }
        std::copy_n(sum, 3, dst + x * 3);
    }
}

} // namespace

void load_rgb_area(const uint8_t *rgb, int width, int height, size_t row_bytes, int scaled_width, int scaled_height,
                   FeatureMap &out) {
    const AreaTaps rows = area_taps(height, scaled_height), columns = area_taps(width, scaled_width);
    const int filled = std::min(scaled_width, out.width);
    row_split::rows(out.height, [&](int first, int end) {
        // One line per thread, kept from frame to frame (the engine thread and the helper each fill
        // their own), with `columns.most` zero pixels past its end for the fixed-length column taps.
        thread_local std::vector<float> line;
        line.assign(size_t(width + columns.most) * 3, 0.0f);
        const int values = width * 3;
        for (int y = first; y < end; ++y) {
            float *dst = out.pixel(y, 0);
            if (y >= scaled_height) {
                std::fill(dst, dst + out.width * 3, 0.0f);
                continue;
            }
            // The source rows this row covers, weighted, then the columns of that line.
            const int taps = rows.count[size_t(y)];
            for (int t = 0; t < taps; ++t) {
                const float weight = rows.weights[size_t(y * rows.most + t)];
                const uint8_t *src = rgb + size_t(rows.first[size_t(y)] + t) * row_bytes;
                float *sum = line.data();
                if (t == 0) {
                    for (int i = 0; i < values; ++i) sum[i] = weight * float(src[i]);
                } else {
                    for (int i = 0; i < values; ++i) sum[i] += weight * float(src[i]);
                }
            }
            area_columns(line.data(), columns, filled, dst);
            std::fill(dst + filled * 3, dst + out.width * 3, 0.0f);
        }
    });
}

void stem_convolution(const FeatureMap &in, const float *weights, const float *bias, FeatureMap &out) {
    const bool avx2 = use_avx2();
    row_split::rows(out.height, [&](int first, int end) {
#if defined(__x86_64__)
        if (avx2) return stem_avx2(in, weights, bias, out, first, end);
#endif
        stem_portable(in, weights, bias, out, first, end);
    });
}

void pointwise(const FeatureMap &in, const float *weights, const float *bias, FeatureMap &out) {
    const bool avx2 = use_avx2();
    row_split::rows(in.height, [&](int first, int end) {
#if defined(__x86_64__)
        if (avx2) return pointwise_avx2(in, weights, bias, out, first, end);
#endif
        pointwise_portable(in, weights, bias, out, first, end);
    });
}

void depthwise(const FeatureMap &in, const float *weights, const float *bias, bool relu, FeatureMap &out) {
    const bool avx2 = use_avx2();
    row_split::rows(in.height, [&](int first, int end) {
#if defined(__x86_64__)
        if (avx2) return depthwise_avx2(in, weights, bias, relu, out, first, end);
#endif
        depthwise_portable(in, weights, bias, relu, out, first, end);
    });
}

void max_pool(const FeatureMap &in, FeatureMap &out) {
    const int channels = in.channels;
    row_split::rows(out.height, [&](int first, int end) {
        for (int y = first; y < end; ++y) {
            for (int x = 0; x < out.width; ++x) {
                const float *a = in.pixel(2 * y, 2 * x), *b = in.pixel(2 * y + 1, 2 * x);
                float *dst = out.pixel(y, x);
                for (int c = 0; c < channels; ++c) {
                    dst[c] = std::max(std::max(a[c], a[c + channels]), std::max(b[c], b[c + channels]));
                }
            }
        }
    });
}

void add_upsampled(const FeatureMap &fine, const FeatureMap &coarse, FeatureMap &out) {
    const int channels = fine.channels;
    row_split::rows(fine.height, [&](int first, int end) {
        for (int y = first; y < end; ++y) {
            for (int x = 0; x < fine.width; ++x) {
                const float *a = fine.pixel(y, x), *b = coarse.pixel(y / 2, x / 2);
                float *dst = out.pixel(y, x);
                for (int c = 0; c < channels; ++c) dst[c] = a[c] + b[c];
            }
        }
    });
}

} // namespace dlibface::yunet_kernels
