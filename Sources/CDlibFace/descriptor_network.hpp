// dlib's 128-D face-descriptor ResNet (networks.hpp), evaluated by FaceStream's own layers with the
// weights dlib loaded. dlib evaluates it one layer at a time, each in its own pass over memory; here
// the bias, batch-norm affine and ReLU are applied as each convolution's rows come out of the matrix
// product, and the rows of every large convolution are shared with the spare-core helper
// (row_split.hpp) while the engine has no other job. The descriptors match dlib's to float rounding
// (the descriptor tests compare them).
#pragma once
#include "networks.hpp"
#include <array>
#include <vector>

namespace dlibface {

class DescriptorNetwork {
public:
    static constexpr int chip_size = 150;
    static constexpr int dimensions = 128;

    // Copies the weights of a loaded network; throws Failure(DLIBFACE_MODEL_ERROR) when its layers
    // are not dlib_face_recognition_resnet_model_v1's.
    explicit DescriptorNetwork(nets::descriptor_net &net);

    // One aligned 150x150 chip -> 128 floats. `spare_core`: the rows may be shared with the helper
    // (when it is free and no other engine job runs); `wait` (tests) waits for it instead.
    void run(const dlib::matrix<dlib::rgb_pixel> &chip, float *descriptor, bool spare_core, bool wait = false);

private:
    // A feature map: channels planes of height x width floats, as dlib's tensors hold them.
    struct Map {
        int channels = 0, height = 0, width = 0;
        std::vector<float> values;
        void shape(int c, int h, int w);
        float *plane(int c) { return values.data() + size_t(c) * size_t(height) * size_t(width); }
        const float *plane(int c) const { return values.data() + size_t(c) * size_t(height) * size_t(width); }
    };
    // A convolution followed by its affine (folded batch norm) layer: (conv + bias) * scale + shift.
    struct Convolution {
        int inputs = 0, outputs = 0, size = 0, stride = 0, padding = 0;
        std::vector<float> weights; // [outputs][inputs][size][size]
        std::vector<float> bias, scale, shift;
    };
    // Two 3x3 convolutions and the shortcut: relu(affine(conv(relu(affine(conv(x))))) + shortcut(x)),
    // where a downsampling block's first convolution has stride 2 and its shortcut is a 2x2 average pool.
    struct Block {
        bool down = false;
        Convolution first, second;
    };

    void convolve(const Map &in, const Convolution &conv, bool relu, Map &out);
    void run_block(const Block &block);

    Convolution stem; // 7x7, stride 2, then a 3x3 max pool of stride 2
    std::vector<Block> blocks; // 14, from the input
    std::vector<float> projection; // [256][128], no bias
    Map current, middle, branch, shortcut;
    std::vector<float> patches; // a small map's patches, gathered once per convolution
};

} // namespace dlibface
