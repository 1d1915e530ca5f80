// YuNet 2023mar's graph: a 3x3 stride-2 stem, units of (1x1 convolution, 3x3 depthwise, ReLU)
// with 2x2 max pooling between strides 2, 4, 8, 16 and 32, a top-down neck (nearest 2x upsampling
// added to the finer level, then a unit) and per level four heads (cls, bbox, obj, kps), each a
// 1x1 convolution from 64 channels then a 3x3 depthwise one, without ReLU.
#include "yunet_network.hpp"
#include "internal.hpp"
#include "row_split.hpp"
#include <cmath>

namespace dlibface {

namespace {

using yunet_kernels::FeatureMap;

constexpr int unit_channels[14][2] = {{16, 16}, {16, 16}, {16, 32}, {32, 32}, {32, 64}, {64, 64}, {64, 64},
                                      {64, 64}, {64, 64}, {64, 64}, {64, 64}, {64, 64}, {64, 64}, {64, 64}};
constexpr int backbone_units = 12;
// The heads in the graph's order, each for strides 8, 16, 32; and where a head's values go in a cell.
struct Head { int channels, offset; };
constexpr Head graph_heads[4] = {{1, 0} /*cls*/, {4, 2} /*bbox*/, {1, 1} /*obj*/, {10, 6} /*kps*/};

void expect(const YuNetConvolution &conv, size_t index, int outputs, int inputs, int kernel) {
    const size_t weights = size_t(outputs) * size_t(inputs) * size_t(kernel) * size_t(kernel);
    if (conv.outputs != outputs || conv.inputs != inputs || conv.kernel != kernel || conv.weights.size() != weights ||
        conv.bias.size() != size_t(outputs)) {
        throw Failure(DLIBFACE_MODEL_ERROR, "YuNet convolution " + std::to_string(index) + " is " +
                                                std::to_string(conv.outputs) + "x" + std::to_string(conv.inputs) + "x" +
                                                std::to_string(conv.kernel) + ", expected " + std::to_string(outputs) +
                                                "x" + std::to_string(inputs) + "x" + std::to_string(kernel) +
                                                " (the 2023mar model)");
    }
}

// [out][in] -> [in][out]
std::vector<float> transposed(const YuNetConvolution &conv) {
    std::vector<float> out(conv.weights.size());
    for (int o = 0; o < conv.outputs; ++o) {
        for (int c = 0; c < conv.inputs; ++c) out[size_t(c * conv.outputs + o)] = conv.weights[size_t(o * conv.inputs + c)];
    }
    return out;
}

// [channel][tap] -> [tap][channel]
std::vector<float> taps_outer(const YuNetConvolution &conv) {
    std::vector<float> out(conv.weights.size());
    for (int c = 0; c < conv.outputs; ++c) {
        for (int k = 0; k < 9; ++k) out[size_t(k * conv.outputs + c)] = conv.weights[size_t(c * 9 + k)];
    }
    return out;
}

float sigmoid(float value) { return 1.0f / (1.0f + std::exp(-value)); }

} // namespace

YuNetNetwork::YuNetNetwork(const std::vector<YuNetConvolution> &convs) {
    if (convs.size() != 53) {
        throw Failure(DLIBFACE_MODEL_ERROR, "YuNet model has " + std::to_string(convs.size()) +
                                                " convolutions, expected 53 (the 2023mar model)");
    }
    expect(convs[0], 0, 16, 3, 3);
    // The stem reads RGB; the network was trained on BGR.
    stem_weights.resize(16 * 27);
    for (int o = 0; o < 16; ++o) {
        for (int c = 0; c < 3; ++c) {
            for (int k = 0; k < 9; ++k) {
                stem_weights[size_t((k * 3 + c) * 16 + o)] = convs[0].weights[size_t((o * 3 + (2 - c)) * 9 + k)];
            }
        }
    }
    stem_bias = convs[0].bias;
    std::vector<Unit> units;
    for (int u = 0; u < 14; ++u) {
        const auto &pw = convs[size_t(1 + 2 * u)], &dw = convs[size_t(2 + 2 * u)];
        const int in = unit_channels[u][0], out = unit_channels[u][1];
        expect(pw, size_t(1 + 2 * u), out, in, 1);
        expect(dw, size_t(2 + 2 * u), out, 1, 3);
        units.push_back(Unit{in, out, transposed(pw), pw.bias, taps_outer(dw), dw.bias});
    }
    backbone.assign(units.begin(), units.begin() + backbone_units);
    neck = {units[backbone_units], units[backbone_units + 1]};
    for (int level = 0; level < 3; ++level) {
        Unit &head = heads[size_t(level)];
        head.inputs = 64;
        head.outputs = values_per_cell;
        head.pointwise.assign(64 * values_per_cell, 0.0f);
        head.pointwise_bias.assign(values_per_cell, 0.0f);
        head.depthwise.assign(9 * values_per_cell, 0.0f);
        head.depthwise_bias.assign(values_per_cell, 0.0f);
        for (int kind = 0; kind < 4; ++kind) {
            const Head &spec = graph_heads[kind];
            const size_t index = size_t(29 + kind * 6 + level * 2);
            const auto &pw = convs[index], &dw = convs[index + 1];
            expect(pw, index, spec.channels, 64, 1);
            expect(dw, index + 1, spec.channels, 1, 3);
            for (int j = 0; j < spec.channels; ++j) {
                const int o = spec.offset + j;
                for (int c = 0; c < 64; ++c) head.pointwise[size_t(c * values_per_cell + o)] = pw.weights[size_t(j * 64 + c)];
                for (int k = 0; k < 9; ++k) head.depthwise[size_t(k * values_per_cell + o)] = dw.weights[size_t(j * 9 + k)];
                head.pointwise_bias[size_t(o)] = pw.bias[size_t(j)];
                head.depthwise_bias[size_t(o)] = dw.bias[size_t(j)];
            }
        }
    }
}

// `in` and `out` may be the same map: the 1x1 convolution has read it before the depthwise one writes.
void YuNetNetwork::run_unit(const Unit &unit, FeatureMap &in, FeatureMap &out, bool relu) {
    const int height = in.height, width = in.width;
    middle.shape(height, width, unit.outputs);
    yunet_kernels::pointwise(in, unit.pointwise.data(), unit.pointwise_bias.data(), middle);
    out.shape(height, width, unit.outputs);
    yunet_kernels::depthwise(middle, unit.depthwise.data(), unit.depthwise_bias.data(), relu, out);
}

void YuNetNetwork::run(const Rows &image, int scaled_width, int scaled_height, int padded_width, int padded_height,
                       Helper helper) {
    if (scaled_width < 1 || scaled_height < 1 || scaled_width > image.width || scaled_height > image.height) {
        throw Failure(DLIBFACE_INTERNAL, "YuNet input is not scaled down");
    }
    if (padded_width % 32 != 0 || padded_height % 32 != 0 || padded_width < scaled_width || padded_height < scaled_height) {
        throw Failure(DLIBFACE_INTERNAL, "YuNet input is not padded to a multiple of 32");
    }
    const row_split::Session session(helper != Helper::none, helper == Helper::wait);
    const int h = padded_height, w = padded_width;
    input.shape(h, w, 3);
    if (scaled_width == image.width && scaled_height == image.height) {
        yunet_kernels::load_rgb(image.rgb, image.width, image.height, image.row_bytes, input);
    } else {
        yunet_kernels::load_rgb_area(image.rgb, image.width, image.height, image.row_bytes, scaled_width, scaled_height, input);
    }
    work.shape(h / 2, w / 2, 16);
    yunet_kernels::stem_convolution(input, stem_weights.data(), stem_bias.data(), work);
    run_unit(backbone[0], work, work, true);
    // stride 4
    scratch.shape(h / 4, w / 4, 16);
    yunet_kernels::max_pool(work, scratch);
    for (int u = 1; u <= 4; ++u) run_unit(backbone[size_t(u)], scratch, scratch, true);
    // stride 8
    work.shape(h / 8, w / 8, 64);
    yunet_kernels::max_pool(scratch, work);
    run_unit(backbone[5], work, work, true);
    run_unit(backbone[6], work, stride8, true);
    // stride 16
    scratch.shape(h / 16, w / 16, 64);
    yunet_kernels::max_pool(stride8, scratch);
    run_unit(backbone[7], scratch, scratch, true);
    run_unit(backbone[8], scratch, stride16, true);
    // stride 32
    work.shape(h / 32, w / 32, 64);
    yunet_kernels::max_pool(stride16, work);
    run_unit(backbone[9], work, work, true);
    run_unit(backbone[10], work, work, true);
    run_unit(backbone[11], work, top, true);
    // neck, top-down
    scratch.shape(h / 16, w / 16, 64);
    yunet_kernels::add_upsampled(stride16, top, scratch);
    run_unit(neck[0], scratch, neck16, true);
    scratch.shape(h / 8, w / 8, 64);
    yunet_kernels::add_upsampled(stride8, neck16, scratch);
    run_unit(neck[1], scratch, neck8, true);
    // heads
    FeatureMap *sources[3] = {&neck8, &neck16, &top};
    for (int level = 0; level < 3; ++level) {
        FeatureMap &source = *sources[level];
        run_unit(heads[size_t(level)], source, work, false);
        Level &out = outputs[size_t(level)];
        out.stride = 8 << level;
        out.rows = work.height;
        out.columns = work.width;
        out.cells.resize(size_t(out.rows) * size_t(out.columns) * values_per_cell);
        float *cell = out.cells.data();
        for (int y = 0; y < out.rows; ++y) {
            for (int x = 0; x < out.columns; ++x, cell += values_per_cell) {
                const float *values = work.pixel(y, x);
                std::copy_n(values, values_per_cell, cell);
                cell[0] = sigmoid(values[0]);
                cell[1] = sigmoid(values[1]);
            }
        }
    }
}

} // namespace dlibface
