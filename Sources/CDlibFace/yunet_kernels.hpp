// The layer kinds of YuNet's network as loops over float feature maps (height x width x channels,
// channels innermost). Each kernel has an AVX2/FMA body chosen at run time and a portable one.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace dlibface::yunet_kernels {

// A feature map stored with a one-pixel zero border all round, so that 3x3 convolutions read their
// padding without bounds checks. Its storage only grows: a smaller shape reuses it.
struct FeatureMap {
    int height = 0, width = 0, channels = 0;
    std::vector<float> data;

    // Sets the shape and zeroes its border; the interior is left to the layer that writes it.
    void shape(int new_height, int new_width, int new_channels);
    float *pixel(int y, int x) { return data.data() + offset(y, x); }
    const float *pixel(int y, int x) const { return data.data() + offset(y, x); }

private:
    size_t offset(int y, int x) const {
        return (size_t(y + 1) * size_t(width + 2) + size_t(x + 1)) * size_t(channels);
    }
};

// Whether the AVX2 bodies run (the CPU has AVX2 and FMA, and tests have not asked for the portable ones).
bool vectorized();
// Tests compare the two bodies: true forces the portable loops on the calling thread.
void force_portable(bool portable);

// 8-bit RGB rows (`row_bytes` apart, `width` x `height`) into a 3-channel map of `out`'s shape,
// pixels past the image zero.
void load_rgb(const uint8_t *rgb, int width, int height, size_t row_bytes, FeatureMap &out);
// The same rows scaled down to `scaled_width` x `scaled_height` (each at most the source's) by area
// averaging, OpenCV's INTER_AREA, kept in floats rather than rounded back to 8 bits.
void load_rgb_area(const uint8_t *rgb, int width, int height, size_t row_bytes, int scaled_width, int scaled_height,
                   FeatureMap &out);
// 3x3 convolution, stride 2, padding 1, 3 -> 16 channels, then ReLU. `weights`: [ky][kx][c][16].
void stem_convolution(const FeatureMap &in, const float *weights, const float *bias, FeatureMap &out);
// 1x1 convolution. `weights`: [in channel][out channel]; out channels a multiple of 16, in channels of 8.
void pointwise(const FeatureMap &in, const float *weights, const float *bias, FeatureMap &out);
// 3x3 depthwise convolution, padding 1, optionally then ReLU. `weights`: [ky][kx][channel]; channels a multiple of 8.
void depthwise(const FeatureMap &in, const float *weights, const float *bias, bool relu, FeatureMap &out);
// 2x2 max pooling, stride 2.
void max_pool(const FeatureMap &in, FeatureMap &out);
// out = fine + coarse upsampled 2x by nearest neighbour (coarse is half fine's size).
void add_upsampled(const FeatureMap &fine, const FeatureMap &coarse, FeatureMap &out);

} // namespace dlibface::yunet_kernels
