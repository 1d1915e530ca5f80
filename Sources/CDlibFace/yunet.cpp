// YuNet 2023mar. OpenCV 4.6's ONNX importer reads the model; the network runs on FaceStream's own
// kernels (yunet_network.hpp), about twice as fast as cv::dnn's forward pass, which stays for the
// comparison tests run. OpenCV 4.6's cv::FaceDetectorYN expects the older output layout, so the
// outputs are decoded here: per stride (8, 16, 32) one row per grid cell with class and
// objectness scores, a box (centre offset in cells, log size) and five landmarks (offsets in
// cells). The score is sqrt(cls * obj), as OpenCV's decoder does.
#include "yunet.hpp"
#include "yunet_network.hpp"
#include <algorithm>
#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

namespace dlibface {

namespace {

constexpr int strides[3] = {8, 16, 32};
// The network's input must be a multiple of its largest stride.
constexpr int input_align = 32;
// Candidates kept before NMS (OpenCV's decoder uses the same bound).
constexpr int max_candidates = 5000;
// Faces below this side (source pixels) are what the enlarged scan of a small image adds.
constexpr double small_face = 40;

int align_up(int value) { return (value + input_align - 1) / input_align * input_align; }

// Reads a whole file's bytes; the ONNX importer is given memory so that a missing or corrupt file
// is reported with its path by us, not as OpenCV's assertion text alone.
std::vector<char> read_file(const char *path) {
    FILE *file = std::fopen(path, "rb");
    if (file == nullptr) throw Failure(DLIBFACE_MODEL_ERROR, std::string("cannot open YuNet model ") + path);
    std::vector<char> bytes;
    char chunk[65536];
    size_t got;
    while ((got = std::fread(chunk, 1, sizeof(chunk), file)) > 0) bytes.insert(bytes.end(), chunk, chunk + got);
    std::fclose(file);
    return bytes;
}

// The convolutions' weights and biases in the graph's order, as the importer read them.
std::vector<YuNetConvolution> convolutions(cv::dnn::Net &net) {
    std::vector<YuNetConvolution> convs;
    for (const std::string &name : net.getLayerNames()) {
        cv::Ptr<cv::dnn::Layer> layer = net.getLayer(name);
        if (layer->type != "Convolution") continue;
        if (layer->blobs.size() != 2 || layer->blobs[0].dims != 4 || layer->blobs[0].type() != CV_32F ||
            layer->blobs[1].type() != CV_32F || layer->blobs[0].size[2] != layer->blobs[0].size[3]) {
            throw Failure(DLIBFACE_MODEL_ERROR, "YuNet layer " + name + " is not a float convolution with a bias");
        }
        const cv::Mat weights = layer->blobs[0].isContinuous() ? layer->blobs[0] : layer->blobs[0].clone();
        const cv::Mat bias = layer->blobs[1].isContinuous() ? layer->blobs[1] : layer->blobs[1].clone();
        YuNetConvolution conv;
        conv.outputs = weights.size[0];
        conv.inputs = weights.size[1];
        conv.kernel = weights.size[2];
        conv.weights.assign(weights.ptr<float>(), weights.ptr<float>() + weights.total());
        conv.bias.assign(bias.ptr<float>(), bias.ptr<float>() + bias.total());
        convs.push_back(std::move(conv));
    }
    return convs;
}

// The image padded bottom/right with black to the network's stride.
cv::Mat padded_input(const cv::Mat &rgb) {
    cv::Mat padded;
    cv::copyMakeBorder(rgb, padded, 0, align_up(rgb.rows) - rgb.rows, 0, align_up(rgb.cols) - rgb.cols, cv::BORDER_CONSTANT,
                       cv::Scalar(0, 0, 0));
    return padded;
}

} // namespace

struct YuNet::State {
    cv::dnn::Net net;
    std::vector<std::string> output_names;
    std::unique_ptr<YuNetNetwork> network;
};

YuNet::YuNet(const char *model_path) : state(std::make_unique<State>()) {
    if (model_path == nullptr) throw Failure(DLIBFACE_INVALID_ARGUMENT, "no path for the YuNet model");
    std::vector<char> bytes = read_file(model_path);
    try {
        // One thread per engine: FaceStream runs one engine per core already. Letting OpenCV's TBB
        // pool fan out as well halved a lone frame's latency (16 -> ~11 ms at 640x384) but cost ~30 %
        // more CPU per frame, and under 10 streams at 5 fps it pushed p50 latency from ~20 ms to 320 ms.
        cv::setNumThreads(1);
        state->net = cv::dnn::readNetFromONNX(bytes.data(), bytes.size());
        state->net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        state->net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    } catch (const cv::Exception &error) {
        throw Failure(DLIBFACE_MODEL_ERROR, std::string("cannot load YuNet model ") + model_path + ": " + error.what());
    }
    if (state->net.empty()) throw Failure(DLIBFACE_MODEL_ERROR, std::string("YuNet model ") + model_path + " holds no network");
    for (const char *kind : {"cls", "obj", "bbox", "kps"}) {
        for (int stride : strides) state->output_names.push_back(std::string(kind) + "_" + std::to_string(stride));
    }
    std::vector<std::string> layers = state->net.getUnconnectedOutLayersNames();
    for (const auto &name : state->output_names) {
        if (std::find(layers.begin(), layers.end(), name) == layers.end()) {
            throw Failure(DLIBFACE_MODEL_ERROR, std::string("YuNet model ") + model_path + " has no output " + name +
                                                    " (expected the 2023mar model)");
        }
    }
    try {
        state->network = std::make_unique<YuNetNetwork>(convolutions(state->net));
    } catch (const Failure &failure) {
        throw Failure(DLIBFACE_MODEL_ERROR, std::string(failure.what()) + ": " + model_path);
    }
}

YuNet::~YuNet() = default;

// Runs the network once on `rgb` scaled by `scale` (padded bottom/right to the stride, so boxes map
// back by that single factor) and appends every cell scoring at least the threshold whose box
// side (source pixels) is in [settings.min_face, max_face).
void YuNet::collect(const cv::Mat &rgb, double scale, double max_face, const YuNetSettings &settings,
                    std::vector<YuNetFace> &candidates) {
    const cv::Size size(std::max(1, int(std::lround(rgb.cols * scale))), std::max(1, int(std::lround(rgb.rows * scale))));
    // Shrinking (area averaging) happens as the network loads its input, on the rows it shares with
    // the helper: cv::resize's INTER_AREA took ~2 ms of a 640x360 frame's ~10 on one thread.
    cv::Mat enlarged;
    if (size.width > rgb.cols || size.height > rgb.rows) cv::resize(rgb, enlarged, size, 0, 0, cv::INTER_LINEAR);
    const cv::Mat &source = enlarged.empty() ? rgb : enlarged;
    const YuNetNetwork::Rows rows{source.ptr<uint8_t>(), source.cols, source.rows, source.step[0]};
    state->network->run(rows, size.width, size.height, align_up(size.width), align_up(size.height),
                        settings.spare_core ? YuNetNetwork::Helper::if_free : YuNetNetwork::Helper::none);
    const double to_source = double(rgb.cols) / double(size.width);
    for (const YuNetNetwork::Level &level : state->network->levels()) {
        const int stride = level.stride;
        for (int row = 0; row < level.rows; ++row) {
            for (int column = 0; column < level.columns; ++column) {
                const float *cell = level.cells.data() + size_t(row * level.columns + column) * YuNetNetwork::values_per_cell;
                const float *cls = cell, *obj = cell + 1, *b = cell + 2, *k = cell + 6;
                const double score = std::sqrt(std::clamp(double(*cls), 0.0, 1.0) * std::clamp(double(*obj), 0.0, 1.0));
                if (score < settings.score_threshold) continue;
                YuNetFace face;
                const double cx = (column + b[0]) * stride, cy = (row + b[1]) * stride;
                const double w = std::exp(double(b[2])) * stride, h = std::exp(double(b[3])) * stride;
                face.x = (cx - w / 2) * to_source;
                face.y = (cy - h / 2) * to_source;
                face.width = w * to_source;
                face.height = h * to_source;
                face.score = score;
                for (int p = 0; p < 5; ++p) {
                    face.landmarks[p * 2] = (column + k[p * 2]) * stride * to_source;
                    face.landmarks[p * 2 + 1] = (row + k[p * 2 + 1]) * stride * to_source;
                }
                const double side = std::min(face.width, face.height);
                if (side < settings.min_face || side >= max_face) continue;
                candidates.push_back(face);
            }
        }
    }
}

double YuNet::backend_difference(const dlib::matrix<dlib::rgb_pixel> &image, bool portable) {
    const int width = int(image.nc()), height = int(image.nr());
    if (width <= 0 || height <= 0) throw Failure(DLIBFACE_INVALID_ARGUMENT, "image has no pixels");
    const cv::Mat rgb(height, width, CV_8UC3, const_cast<dlib::rgb_pixel *>(&image(0, 0)));
    const cv::Mat padded = padded_input(rgb);
    std::vector<cv::Mat> outputs;
    try {
        state->net.setInput(cv::dnn::blobFromImage(padded, 1.0, cv::Size(), cv::Scalar(), /*swapRB=*/true, false, CV_32F));
        state->net.forward(outputs, state->output_names);
    } catch (const cv::Exception &error) {
        throw Failure(DLIBFACE_INTERNAL, std::string("YuNet inference failed: ") + error.what());
    }
    yunet_kernels::force_portable(portable);
    state->network->run(YuNetNetwork::Rows{rgb.ptr<uint8_t>(), width, height, rgb.step[0]}, width, height, padded.cols,
                        padded.rows);
    yunet_kernels::force_portable(false);
    // cls, obj, bbox, kps: where each output's values sit in a cell, and how many there are.
    constexpr int offsets[4] = {0, 1, 2, 6}, counts[4] = {1, 1, 4, 10};
    double largest = 0;
    for (int kind = 0; kind < 4; ++kind) {
        for (int level = 0; level < 3; ++level) {
            const YuNetNetwork::Level &mine = state->network->levels()[size_t(level)];
            const cv::Mat &theirs = outputs[size_t(kind * 3 + level)];
            const size_t cells = size_t(mine.rows) * size_t(mine.columns);
            if (theirs.total() != cells * size_t(counts[kind])) throw Failure(DLIBFACE_INTERNAL, "YuNet outputs differ in size");
            const float *values = theirs.ptr<float>();
            for (size_t cell = 0; cell < cells; ++cell) {
                for (int j = 0; j < counts[kind]; ++j) {
                    const double a = values[cell * size_t(counts[kind]) + size_t(j)];
                    const double b = mine.cells[cell * YuNetNetwork::values_per_cell + size_t(offsets[kind] + j)];
                    largest = std::max(largest, std::fabs(a - b));
                }
            }
        }
    }
    return largest;
}

double YuNet::split_difference(const dlib::matrix<dlib::rgb_pixel> &image) {
    const int width = int(image.nc()), height = int(image.nr());
    if (width <= 0 || height <= 0) throw Failure(DLIBFACE_INVALID_ARGUMENT, "image has no pixels");
    const YuNetNetwork::Rows rows{reinterpret_cast<const uint8_t *>(&image(0, 0)), width, height, size_t(width) * 3};
    YuNetNetwork &network = *state->network;
    network.run(rows, width, height, align_up(width), align_up(height), YuNetNetwork::Helper::none);
    const std::array<YuNetNetwork::Level, 3> alone = network.levels();
    network.run(rows, width, height, align_up(width), align_up(height), YuNetNetwork::Helper::wait);
    double largest = 0;
    for (size_t level = 0; level < alone.size(); ++level) {
        const std::vector<float> &a = alone[level].cells, &b = network.levels()[level].cells;
        if (a.size() != b.size()) throw Failure(DLIBFACE_INTERNAL, "YuNet outputs differ in size");
        for (size_t i = 0; i < a.size(); ++i) largest = std::max(largest, double(std::fabs(a[i] - b[i])));
    }
    return largest;
}

double YuNet::area_difference(const dlib::matrix<dlib::rgb_pixel> &image, int width, int height) {
    const int columns = int(image.nc()), rows = int(image.nr());
    if (width < 1 || height < 1 || width > columns || height > rows) throw Failure(DLIBFACE_INVALID_ARGUMENT, "not a downscale");
    const cv::Mat rgb(rows, columns, CV_8UC3, const_cast<dlib::rgb_pixel *>(&image(0, 0)));
    cv::Mat theirs;
    cv::resize(rgb, theirs, cv::Size(width, height), 0, 0, cv::INTER_AREA);
    yunet_kernels::FeatureMap mine;
    mine.shape(align_up(height), align_up(width), 3);
    yunet_kernels::load_rgb_area(rgb.ptr<uint8_t>(), columns, rows, rgb.step[0], width, height, mine);
    double largest = 0;
    for (int y = 0; y < mine.height; ++y) {
        for (int x = 0; x < mine.width; ++x) {
            for (int c = 0; c < 3; ++c) {
                const double expected = y < height && x < width ? double(theirs.ptr<uint8_t>(y)[x * 3 + c]) : 0.0;
                largest = std::max(largest, std::fabs(double(mine.pixel(y, x)[c]) - expected));
            }
        }
    }
    return largest;
}

std::vector<YuNetFace> YuNet::detect(const dlib::matrix<dlib::rgb_pixel> &image, const YuNetSettings &settings) {
    const int width = int(image.nc()), height = int(image.nr());
    if (width <= 0 || height <= 0) return {};
    // dlib's rows are packed RGB: wrapped without copying.
    const cv::Mat rgb(height, width, CV_8UC3, const_cast<dlib::rgb_pixel *>(&image(0, 0)));
    const int longest = std::max(width, height);
    std::vector<YuNetFace> candidates;
    if (settings.max_input_side > 0 && longest > settings.max_input_side) {
        // Large images are scaled down: the cost grows with the pixels.
        collect(rgb, double(settings.max_input_side) / double(longest), HUGE_VAL, settings, candidates);
    } else {
        collect(rgb, 1.0, HUGE_VAL, settings, candidates);
        // A small image is also scanned enlarged, for its small faces only: they then reach the
        // sizes YuNet scores confidently. Larger faces (a crop filled by one) come from the scan at
        // their own size, which boxes them as every other photo is boxed.
        if (settings.min_input_side > 0 && longest < settings.min_input_side) {
            collect(rgb, double(settings.min_input_side) / double(longest), small_face, settings, candidates);
        }
    }
    std::vector<cv::Rect2d> rects;
    std::vector<float> scores;
    for (const auto &face : candidates) {
        rects.emplace_back(face.x, face.y, face.width, face.height);
        scores.push_back(float(face.score));
    }
    std::vector<int> kept;
    cv::dnn::NMSBoxes(rects, scores, float(settings.score_threshold), float(settings.nms_threshold), kept, 1.0f, max_candidates);
    std::vector<YuNetFace> faces;
    faces.reserve(kept.size());
    for (int index : kept) faces.push_back(candidates[size_t(index)]);
    // NMS by IoU leaves a small box lying inside a much larger one (a part of a face scored as a
    // face, typically from the enlarged scan): drop a box more than half covered by a larger face.
    auto covered = [&](const YuNetFace &small) {
        for (const auto &large : faces) {
            if (large.width * large.height <= small.width * small.height) continue;
            const double w = std::min(small.x + small.width, large.x + large.width) - std::max(small.x, large.x);
            const double h = std::min(small.y + small.height, large.y + large.height) - std::max(small.y, large.y);
            if (w > 0 && h > 0 && w * h > 0.5 * small.width * small.height) return true;
        }
        return false;
    };
    std::vector<YuNetFace> separate;
    for (const auto &face : faces) {
        if (!covered(face)) separate.push_back(face);
    }
    std::sort(separate.begin(), separate.end(), [](const YuNetFace &a, const YuNetFace &b) { return a.score > b.score; });
    return separate;
}

} // namespace dlibface
