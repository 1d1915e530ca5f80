// The layers follow dlib's CPU implementation (dlib/cuda/cpu_dlib.cpp) step for step: the same
// im2col patch order (stored patch-major here: a row per weight, a column per pixel) and
// single-precision matrix product, the bias then the affine transform, pools over unpadded windows,
// and a residual sum whose smaller operand counts as zero outside its extent.
#include "descriptor_network.hpp"
#include "internal.hpp"
#include "matrix_product.hpp"
#include "row_split.hpp"
#include <algorithm>

namespace dlibface {

namespace {

// Collects the network's convolutions, affine layers and final projection, from the output to the input.
struct WeightCollector {
    struct Conv {
        long filters, rows, columns, stride_y, stride_x, padding_y, padding_x;
        bool has_bias;
        std::vector<float> params;
    };
    std::vector<Conv> *convolutions;
    std::vector<std::pair<std::vector<float>, std::vector<float>>> *affines;
    std::vector<float> *projection;
    long *projection_outputs;

    template <long F, long R, long C, int SY, int SX, int PY, int PX>
    void operator()(dlib::con_<F, R, C, SY, SX, PY, PX> &layer) const {
        const dlib::tensor &params = layer.get_layer_params();
        convolutions->push_back(Conv{layer.num_filters(), layer.nr(), layer.nc(), layer.stride_y(), layer.stride_x(),
                                     layer.padding_y(), layer.padding_x(), !layer.bias_is_disabled(),
                                     std::vector<float>(params.host(), params.host() + params.size())});
    }
    void operator()(dlib::affine_ &layer) const {
        if (layer.get_mode() != dlib::CONV_MODE) throw Failure(DLIBFACE_MODEL_ERROR, "face recognition model: affine layer not per channel");
        auto gamma = layer.get_gamma();
        auto beta = layer.get_beta();
        affines->emplace_back(std::vector<float>(gamma.host(), gamma.host() + gamma.size()),
                              std::vector<float>(beta.host(), beta.host() + beta.size()));
    }
    template <unsigned long N, dlib::fc_bias_mode B>
    void operator()(dlib::fc_<N, B> &layer) const {
        const dlib::tensor &params = layer.get_layer_params();
        *projection = std::vector<float>(params.host(), params.host() + params.size());
        *projection_outputs = long(N);
    }
    template <typename Other>
    void operator()(Other &) const {}
};

[[noreturn]] void wrong_model(const char *what) {
    throw Failure(DLIBFACE_MODEL_ERROR, std::string("face recognition model: ") + what);
}

// Products smaller than this many multiply-adds run whole on the calling thread: sharing them costs more than it saves.
constexpr long smallest_shared_product = 2'000'000;

// The largest kernel side of the network's convolutions (the 7x7 stem).
constexpr int max_kernel_size = 7;

// Pools each channel plane of `in` over `window` x `window` cells at stride 2, no padding (dlib's
// pooling layers as this network uses them). `cell(top_left, row_length)` gives one cell's value.
template <typename Map, typename Cell> void pool(const Map &in, int window, Map &out, Cell cell) {
    const int height = 1 + (in.height - window) / 2, width = 1 + (in.width - window) / 2;
    out.shape(in.channels, height, width);
    for (int k = 0; k < in.channels; ++k) {
        const float *plane = in.plane(k);
        float *pooled = out.plane(k);
        for (int r = 0; r < height; ++r) {
            for (int c = 0; c < width; ++c) pooled[r * width + c] = cell(plane + size_t(2 * r) * size_t(in.width) + 2 * c, in.width);
        }
    }
}

} // namespace

void DescriptorNetwork::Map::shape(int c, int h, int w) {
    channels = c;
    height = h;
    width = w;
    values.resize(size_t(c) * size_t(h) * size_t(w));
}

DescriptorNetwork::DescriptorNetwork(nets::descriptor_net &net) {
    std::vector<WeightCollector::Conv> convolutions;
    std::vector<std::pair<std::vector<float>, std::vector<float>>> affines;
    long projection_outputs = 0;
    dlib::visit_computational_layers(net, WeightCollector{&convolutions, &affines, &projection, &projection_outputs});
    if (convolutions.size() != 29 || affines.size() != 29) wrong_model("expected 29 convolutions, each with an affine layer");
    std::reverse(convolutions.begin(), convolutions.end());
    std::reverse(affines.begin(), affines.end());

    int channels = 3;
    auto take = [&](size_t index, int size, int stride) {
        const WeightCollector::Conv &source = convolutions[index];
        const long per_filter = long(channels) * size * size;
        const long filters = source.filters;
        if (source.rows != size || source.columns != size || source.stride_y != stride || source.stride_x != stride ||
            source.padding_y != source.padding_x || !source.has_bias ||
            long(source.params.size()) != filters * per_filter + filters ||
            long(affines[index].first.size()) != filters || long(affines[index].second.size()) != filters) {
            wrong_model("a convolution's shape is not the ResNet's");
        }
        Convolution conv;
        conv.inputs = channels;
        conv.outputs = int(filters);
        conv.size = size;
        conv.stride = stride;
        conv.padding = int(source.padding_y);
        conv.weights.assign(source.params.begin(), source.params.begin() + filters * per_filter);
        conv.bias.assign(source.params.begin() + filters * per_filter, source.params.end());
        conv.scale = affines[index].first;
        conv.shift = affines[index].second;
        channels = conv.outputs;
        return conv;
    };

    stem = take(0, 7, 2);
    // Blocks from the input: level 4 (3 x 32), level 3 (64, down first), 2 (128), 1 (256), 0 (256, down).
    const std::array<std::pair<int, bool>, 14> layout{{{32, false}, {32, false}, {32, false},
                                                       {64, true}, {64, false}, {64, false}, {64, false},
                                                       {128, true}, {128, false}, {128, false},
                                                       {256, true}, {256, false}, {256, false},
                                                       {256, true}}};
    size_t index = 1;
    for (const auto &[width, down] : layout) {
        Block block;
        block.down = down;
        block.first = take(index++, 3, down ? 2 : 1);
        block.second = take(index++, 3, 1);
        if (block.first.outputs != width || block.second.outputs != width) wrong_model("a block's width is not the ResNet's");
        blocks.push_back(std::move(block));
    }
    if (projection_outputs != dimensions || long(projection.size()) != 256L * dimensions) wrong_model("the projection is not 256 -> 128");
}

void DescriptorNetwork::convolve(const Map &in, const Convolution &conv, bool relu, Map &out) {
    const int size = conv.size, stride = conv.stride, padding = conv.padding;
    const int out_height = 1 + (in.height + 2 * padding - size) / stride;
    const int out_width = 1 + (in.width + 2 * padding - size) / stride;
    out.shape(conv.outputs, out_height, out_width);
    const int patch = conv.inputs * size * size;
    const int pixels = out_height * out_width;
    float *output = out.values.data();

    // Output columns [inside[dx], beyond[dx]) read inside the input line at kernel column dx.
    std::array<int, max_kernel_size> inside{}, beyond{};
    for (int dx = 0; dx < size; ++dx) {
        const int shift = dx - padding, last = in.width - 1 - shift;
        inside[size_t(dx)] = std::min(out_width, shift >= 0 ? 0 : (-shift + stride - 1) / stride);
        beyond[size_t(dx)] = last < 0 ? inside[size_t(dx)] : std::max(inside[size_t(dx)], std::min(out_width, last / stride + 1));
    }
    // The patches of output rows [first, end), patch-major: row (k * size + dy) * size + dx holds input
    // channel k at offset (dy, dx) of every output pixel in turn (zero outside the map), so each
    // row is a run of input lines, copied whole (at stride 2, from the line split into its even
    // and odd columns). `count` is the patch matrix's row length.
    auto gather = [&](int first, int end, float *p, int count) {
        thread_local std::vector<float> phases;
        phases.resize(size_t(in.width));
        const int evens = (in.width + 1) / 2;
        for (int k = 0; k < conv.inputs; ++k) {
            const float *plane = in.plane(k);
            for (int dy = 0; dy < size; ++dy) {
                float *rows = p + size_t((k * size + dy) * size) * size_t(count);
                for (int r = first; r < end; ++r) {
                    float *column = rows + size_t(r - first) * size_t(out_width);
                    const int y = r * stride - padding + dy;
                    if (y < 0 || y >= in.height) {
                        for (int dx = 0; dx < size; ++dx) std::fill_n(column + size_t(dx) * size_t(count), out_width, 0.0f);
                        continue;
                    }
                    const float *line = plane + size_t(y) * size_t(in.width);
                    if (stride == 2) {
                        for (int x = 0; x < in.width; ++x) phases[size_t((x & 1) ? evens + x / 2 : x / 2)] = line[x];
                    }
                    for (int dx = 0; dx < size; ++dx) {
                        float *target = column + size_t(dx) * size_t(count);
                        const int shift = dx - padding, from = inside[size_t(dx)], to = beyond[size_t(dx)];
                        std::fill(target, target + from, 0.0f);
                        if (stride == 1) {
                            std::copy(line + from + shift, line + to + shift, target + from);
                        } else if (stride == 2) {
                            // Input column 2c + shift: in the odd half when shift is odd.
                            const int phase = shift & 1;
                            const float *half = phases.data() + (phase ? evens : 0) + (shift - phase) / 2;
                            std::copy(half + from, half + to, target + from);
                        } else {
                            for (int c = from; c < to; ++c) target[c] = line[c * stride + shift];
                        }
                        std::fill(target + to, target + out_width, 0.0f);
                    }
                }
            }
        }
    };
    // Filters [first_filter, end_filter) over `count` pixels from `pixel` (patches: patch x `count`,
    // rows `stride_patches` apart): one matrix product, then bias, affine and ReLU on the values just written.
    auto product = [&](int first_filter, int end_filter, const float *patches, int stride_patches, int pixel, int count) {
        float *target = output + size_t(first_filter) * size_t(pixels) + size_t(pixel);
        multiply(end_filter - first_filter, count, patch, conv.weights.data() + size_t(first_filter) * size_t(patch), patch,
                 patches, stride_patches, false, target, pixels);
        for (int m = first_filter; m < end_filter; ++m) {
            float *values = target + size_t(m - first_filter) * size_t(pixels);
            const float bias = conv.bias[size_t(m)], scale = conv.scale[size_t(m)], shift = conv.shift[size_t(m)];
            if (relu) {
                for (int i = 0; i < count; ++i) values[i] = std::max(0.0f, scale * (values[i] + bias) + shift);
            } else {
                for (int i = 0; i < count; ++i) values[i] = scale * (values[i] + bias) + shift;
            }
        }
    };
    const bool shared = long(conv.outputs) * pixels * patch >= smallest_shared_product;
    if (shared && conv.outputs <= pixels) {
        // More pixels than filters: the output rows are shared, each chunk gathering its own patches
        // (each thread's matrix product then packs all the weights and its own patches).
        row_split::rows(out_height, [&](int first, int end) {
            thread_local std::vector<float> patches;
            const int count = (end - first) * out_width;
            patches.resize(size_t(count) * size_t(patch));
            gather(first, end, patches.data(), count);
            product(0, conv.outputs, patches.data(), count, first * out_width, count);
        });
        return;
    }
    // More filters than pixels: the filters are shared, and each thread packs its own part of the weights.
    patches.resize(size_t(pixels) * size_t(patch));
    gather(0, out_height, patches.data(), pixels);
    if (shared) {
        row_split::rows(conv.outputs, [&](int first, int end) { product(first, end, patches.data(), pixels, 0, pixels); });
    } else {
        product(0, conv.outputs, patches.data(), pixels, 0, pixels);
    }
}

void DescriptorNetwork::run_block(const Block &block) {
    convolve(current, block.first, true, middle);
    convolve(middle, block.second, false, branch);
    const Map *skip = &current;
    if (block.down) {
        // 2x2 average pool.
        pool(current, 2, shortcut, [](const float *a, int row) { return (a[0] + a[1] + a[row] + a[row + 1]) / 4.0f; });
        skip = &shortcut;
    }
    // The sum covers the larger extent of the two; each counts as zero outside its own (a
    // downsampled 8x8 map gives a 3x3 branch and a 4x4 shortcut).
    if (branch.channels == skip->channels && branch.height == skip->height && branch.width == skip->width) {
        middle.shape(branch.channels, branch.height, branch.width);
        const float *a = skip->values.data(), *b = branch.values.data();
        float *out = middle.values.data();
        for (size_t i = 0; i < middle.values.size(); ++i) out[i] = std::max(0.0f, a[i] + b[i]);
        std::swap(current, middle);
        return;
    }
    const int channels = std::max(branch.channels, skip->channels);
    const int height = std::max(branch.height, skip->height), width = std::max(branch.width, skip->width);
    middle.shape(channels, height, width);
    for (int k = 0; k < channels; ++k) {
        float *out = middle.plane(k);
        for (int r = 0; r < height; ++r) {
            for (int c = 0; c < width; ++c) {
                const float a = (k < skip->channels && r < skip->height && c < skip->width)
                                    ? skip->plane(k)[r * skip->width + c] : 0.0f;
                const float b = (k < branch.channels && r < branch.height && c < branch.width)
                                    ? branch.plane(k)[r * branch.width + c] : 0.0f;
                out[r * width + c] = std::max(0.0f, a + b);
            }
        }
    }
    std::swap(current, middle);
}

void DescriptorNetwork::run(const dlib::matrix<dlib::rgb_pixel> &chip, float *descriptor, bool spare_core, bool wait) {
    if (chip.nr() != chip_size || chip.nc() != chip_size) throw Failure(DLIBFACE_INTERNAL, "face chip is not 150x150");
    const row_split::Session session(spare_core || wait, wait);
    // dlib's input layer: per-channel mean subtracted, divided by 256, planes R, G, B.
    Map &input = branch;
    input.shape(3, chip_size, chip_size);
    float *red = input.plane(0), *green = input.plane(1), *blue = input.plane(2);
    for (long r = 0; r < chip_size; ++r) {
        for (long c = 0; c < chip_size; ++c) {
            const dlib::rgb_pixel &p = chip(r, c);
            const size_t i = size_t(r * chip_size + c);
            red[i] = (float(p.red) - 122.782f) / 256.0f;
            green[i] = (float(p.green) - 117.001f) / 256.0f;
            blue[i] = (float(p.blue) - 104.298f) / 256.0f;
        }
    }
    convolve(input, stem, true, middle);
    // 3x3 max pool.
    pool(middle, 3, current, [](const float *a, int row) {
        float best = a[0];
        for (int y = 0; y < 3; ++y) best = std::max({best, a[y * row], a[y * row + 1], a[y * row + 2]});
        return best;
    });
    for (const Block &block : blocks) run_block(block);
    // Average over the whole map, then the 256 -> 128 projection.
    std::array<float, 256> pooled{};
    if (current.channels != 256) throw Failure(DLIBFACE_INTERNAL, "face descriptor network ended with the wrong width");
    const int area = current.height * current.width;
    for (int k = 0; k < 256; ++k) {
        float sum = 0;
        for (int i = 0; i < area; ++i) sum += current.plane(k)[i];
        pooled[size_t(k)] = sum / float(area);
    }
    multiply(1, dimensions, 256, pooled.data(), 256, projection.data(), dimensions, false, descriptor, dimensions);
}

} // namespace dlibface
