// YuNet 2023mar's network, evaluated by FaceStream's own kernels (yunet_kernels.hpp) with the
// weights OpenCV's ONNX importer read. On this project's VM it takes about half the time of
// cv::dnn's forward pass at 640x480 on one thread; yunet.cpp can still run cv::dnn to compare.
#pragma once
#include "yunet_kernels.hpp"
#include <array>
#include <cstdint>
#include <vector>

namespace dlibface {

// One convolution's weights as the ONNX file holds them: [out][in per group][3 or 1][3 or 1], bias [out].
struct YuNetConvolution {
    int outputs = 0, inputs = 0, kernel = 0;
    std::vector<float> weights, bias;
};

class YuNetNetwork {
public:
    // Per grid cell of a level, in this order: class and objectness scores (after the sigmoid),
    // the box (4) and the landmarks (10), as the network's cls/obj/bbox/kps outputs hold them.
    static constexpr int values_per_cell = 16;
    struct Level {
        int stride = 0, rows = 0, columns = 0;
        std::vector<float> cells; // rows * columns * values_per_cell
    };

    // The 53 convolutions in the ONNX graph's order; throws Failure(DLIBFACE_MODEL_ERROR) when
    // their shapes are not 2023mar's.
    explicit YuNetNetwork(const std::vector<YuNetConvolution> &convolutions);

    // How an evaluation may use the spare-core helper (row_split.hpp).
    enum class Helper { none, if_free, wait };

    // 8-bit RGB rows, `row_bytes` apart.
    struct Rows {
        const uint8_t *rgb;
        int width, height;
        size_t row_bytes;
    };
    // Runs on `image` scaled down to `scaled_width` x `scaled_height` by area averaging (at its own
    // size: as it is), zero-padded to `padded_width` x `padded_height` (multiples of 32).
    void run(const Rows &image, int scaled_width, int scaled_height, int padded_width, int padded_height,
             Helper helper = Helper::none);
    const std::array<Level, 3> &levels() const { return outputs; }

private:
    struct Unit { // a 1x1 convolution then a 3x3 depthwise one (+ ReLU)
        int inputs = 0, outputs = 0;
        std::vector<float> pointwise, pointwise_bias, depthwise, depthwise_bias;
    };
    void run_unit(const Unit &unit, yunet_kernels::FeatureMap &in, yunet_kernels::FeatureMap &out, bool relu);

    std::vector<float> stem_weights, stem_bias;
    std::vector<Unit> backbone; // 12 units: at stride 2 (1), 4 (4), 8 (2), 16 (2) and 32 (3)
    std::array<Unit, 2> neck;   // stride 16, stride 8
    std::array<Unit, 3> heads;  // the four heads of a level merged into one 64 -> 16 unit
    yunet_kernels::FeatureMap input, work, middle, scratch, stride8, stride16, top, neck16, neck8;
    std::array<Level, 3> outputs;
};

} // namespace dlibface
