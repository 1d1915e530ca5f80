// The engine handle: YuNet/HOG/CNN detection, 5-point landmarks, aligned chips, 128-D descriptors.
#include "internal.hpp"
#include "descriptor_network.hpp"
#include "networks.hpp"
#include "row_split.hpp"
#include "yunet.hpp"
#include <algorithm>
#include <cmath>
#include <array>
#include <dlfcn.h>
#include <chrono>
#include <limits>
#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_transforms.h>
#include <memory>
#include <vector>

using namespace dlibface;

struct dlibface_engine {
    dlib::frontal_face_detector hog = dlib::get_frontal_face_detector();
    dlib::shape_predictor landmarks;
    nets::descriptor_net descriptor; // dlib's evaluation: the weights' source, and the reference in tests
    std::unique_ptr<DescriptorNetwork> descriptors; // FaceStream's evaluation of the same network
    std::unique_ptr<nets::mmod_net> cnn;
    std::unique_ptr<YuNet> yunet;
};

namespace {

double elapsed_ms(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since).count();
}

template <typename Model>
void load_model(Model &model, const char *path, const char *what) {
    if (path == nullptr) throw Failure(DLIBFACE_INVALID_ARGUMENT, std::string("no path for ") + what);
    try {
        dlib::deserialize(path) >> model;
    } catch (const std::exception &error) {
        throw Failure(DLIBFACE_MODEL_ERROR, std::string("cannot load ") + what + " from " + path + ": " + error.what());
    }
}

// Upsamples like dlib's Python binding (pyramid_up n times), detects, maps boxes back down.
template <typename Detect>
std::vector<dlib::mmod_rect> detect_upsampled(const dlib::matrix<dlib::rgb_pixel> &source, int upsample, Detect &&detect) {
    if (upsample <= 0) return detect(source);
    dlib::pyramid_down<2> pyramid;
    dlib::matrix<dlib::rgb_pixel> larger = source;
    for (int i = 0; i < upsample; ++i) dlib::pyramid_up(larger, pyramid);
    auto found = detect(larger);
    for (auto &face : found) face.rect = pyramid.rect_down(face.rect, unsigned(upsample));
    return found;
}

dlib::rectangle to_rectangle(const dlibface_rect &box) {
    return dlib::rectangle(long(std::lround(box.left)), long(std::lround(box.top)),
                           long(std::lround(box.right)), long(std::lround(box.bottom)));
}

double laplacian_variance(const dlib::matrix<dlib::rgb_pixel> &chip) {
    const long rows = chip.nr(), cols = chip.nc();
    auto gray = [&](long r, long c) {
        const auto &p = chip(r, c);
        return 0.299 * p.red + 0.587 * p.green + 0.114 * p.blue;
    };
    double sum = 0, sum_sq = 0;
    long n = 0;
    for (long r = 1; r + 1 < rows; ++r) {
        for (long c = 1; c + 1 < cols; ++c) {
            double v = gray(r - 1, c) + gray(r + 1, c) + gray(r, c - 1) + gray(r, c + 1) - 4 * gray(r, c);
            sum += v;
            sum_sq += v * v;
            ++n;
        }
    }
    if (n == 0) return 0;
    double mean = sum / double(n);
    return sum_sq / double(n) - mean * mean;
}

} // namespace

// OpenBLAS (Debian's libblas) runs each matrix product on its own thread pool. FaceStream already
// runs one engine per core; letting BLAS fan out as well oversubscribes the cores and made
// concurrent embeddings 10-30x slower. Looked up at run time: other BLAS builds lack the call.
static void use_single_threaded_blas() {
    using set_threads_fn = void (*)(int);
    if (auto set_threads = reinterpret_cast<set_threads_fn>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
        set_threads(1);
    }
}

extern "C" int dlibface_engine_new(const char *shape_predictor_path, const char *recognition_model_path,
                                   const char *cnn_model_path, const char *yunet_model_path,
                                   dlibface_engine **out, char *err, size_t err_len) {
    return guarded(err, err_len, [&] {
        *out = nullptr;
        use_single_threaded_blas();
        auto engine = std::make_unique<dlibface_engine>();
        load_model(engine->landmarks, shape_predictor_path, "shape predictor");
        load_model(engine->descriptor, recognition_model_path, "face recognition model");
        engine->descriptors = std::make_unique<DescriptorNetwork>(engine->descriptor);
        if (cnn_model_path != nullptr) {
            engine->cnn = std::make_unique<nets::mmod_net>();
            load_model(*engine->cnn, cnn_model_path, "CNN face detector");
        }
        if (yunet_model_path != nullptr) engine->yunet = std::make_unique<YuNet>(yunet_model_path);
        *out = engine.release();
    });
}

extern "C" void dlibface_engine_free(dlibface_engine *engine) { delete engine; }

extern "C" int dlibface_detect(dlibface_engine *engine, const dlibface_image *image, int upsample,
                               double scale, int use_cnn, dlibface_rect *out, int32_t capacity,
                               int32_t *count, char *err, size_t err_len) {
    return guarded(err, err_len, [&] {
        *count = 0;
        if (upsample < 0 || upsample > 4) throw Failure(DLIBFACE_INVALID_ARGUMENT, "upsample must be 0...4");
        if (!(scale > 0 && scale <= 1)) throw Failure(DLIBFACE_INVALID_ARGUMENT, "scale must be in (0, 1]");
        if (use_cnn && !engine->cnn) throw Failure(DLIBFACE_INVALID_ARGUMENT, "CNN detector not loaded");
        const dlib::matrix<dlib::rgb_pixel> *source = &image->pixels;
        dlib::matrix<dlib::rgb_pixel> smaller;
        if (scale < 1) {
            long rows = std::max(1L, long(std::lround(image->pixels.nr() * scale)));
            long cols = std::max(1L, long(std::lround(image->pixels.nc() * scale)));
            smaller.set_size(rows, cols);
            dlib::resize_image(image->pixels, smaller);
            source = &smaller;
        }
        std::vector<dlib::mmod_rect> found = detect_upsampled(*source, upsample, [&](const dlib::matrix<dlib::rgb_pixel> &img) {
            std::vector<dlib::mmod_rect> faces;
            if (use_cnn) {
                faces = (*engine->cnn)(img);
            } else {
                std::vector<dlib::rect_detection> hits;
                engine->hog(img, hits, 0.0);
                for (const auto &hit : hits) faces.emplace_back(hit.rect, hit.detection_confidence);
            }
            return faces;
        });
        std::sort(found.begin(), found.end(), [](const auto &a, const auto &b) { return a.detection_confidence > b.detection_confidence; });
        // Map back from the resized image: x_original = (x_small + 0.5) / scale - 0.5.
        const double sx = double(image->pixels.nc()) / double(source->nc());
        const double sy = double(image->pixels.nr()) / double(source->nr());
        int32_t written = 0;
        for (const auto &face : found) {
            if (written >= capacity) break;
            dlibface_rect &box = out[written++];
            box.left = (face.rect.left() + 0.5) * sx - 0.5;
            box.top = (face.rect.top() + 0.5) * sy - 0.5;
            box.right = (face.rect.right() + 0.5) * sx - 0.5;
            box.bottom = (face.rect.bottom() + 0.5) * sy - 0.5;
            box.score = face.detection_confidence;
        }
        *count = int32_t(found.size());
    });
}

extern "C" int dlibface_landmarks(dlibface_engine *engine, const dlibface_image *image,
                                  const dlibface_rect *boxes, int32_t n, double *points, char *err,
                                  size_t err_len) {
    return guarded(err, err_len, [&] {
        for (int32_t i = 0; i < n; ++i) {
            dlib::full_object_detection shape = engine->landmarks(image->pixels, to_rectangle(boxes[i]));
            if (shape.num_parts() != 5) throw Failure(DLIBFACE_MODEL_ERROR, "shape predictor is not the 5-point model");
            for (unsigned long p = 0; p < 5; ++p) {
                points[i * 10 + p * 2] = double(shape.part(p).x());
                points[i * 10 + p * 2 + 1] = double(shape.part(p).y());
            }
        }
    });
}

namespace {

// dlib's aligned 150x150 chips (25 % padding) of the faces with these boxes and 5-point landmarks.
std::vector<dlib::matrix<dlib::rgb_pixel>> face_chips(const dlibface_image *image, const dlibface_rect *boxes,
                                                      const double *points, int32_t n) {
    std::vector<dlib::chip_details> details;
    details.reserve(size_t(n));
    for (int32_t i = 0; i < n; ++i) {
        std::vector<dlib::point> parts;
        for (int p = 0; p < 5; ++p) {
            parts.emplace_back(long(std::lround(points[i * 10 + p * 2])), long(std::lround(points[i * 10 + p * 2 + 1])));
        }
        details.push_back(dlib::get_face_chip_details(dlib::full_object_detection(to_rectangle(boxes[i]), parts),
                                                      DescriptorNetwork::chip_size, 0.25));
    }
    dlib::array<dlib::matrix<dlib::rgb_pixel>> chips;
    dlib::extract_image_chips(image->pixels, details, chips);
    return std::vector<dlib::matrix<dlib::rgb_pixel>>(chips.begin(), chips.end());
}

} // namespace

extern "C" int dlibface_embed(dlibface_engine *engine, const dlibface_image *image,
                              const dlibface_rect *boxes, const double *points, int32_t n, int mirror, int spare_core,
                              float *descriptors, double *sharpness, dlibface_embed_timing *timing,
                              char *err, size_t err_len) {
    return guarded(err, err_len, [&] {
        if (n <= 0) return;
        auto started = std::chrono::steady_clock::now();
        std::vector<dlib::matrix<dlib::rgb_pixel>> chips = face_chips(image, boxes, points, n);
        if (sharpness != nullptr) {
            for (int32_t i = 0; i < n; ++i) sharpness[i] = laplacian_variance(chips[size_t(i)]);
        }
        double chip_ms = elapsed_ms(started);
        started = std::chrono::steady_clock::now();
        std::array<float, DescriptorNetwork::dimensions> flipped_descriptor;
        dlib::matrix<dlib::rgb_pixel> flipped; // one buffer for every face's mirror image
        for (int32_t i = 0; i < n; ++i) {
            float *descriptor = descriptors + size_t(i) * DescriptorNetwork::dimensions;
            engine->descriptors->run(chips[size_t(i)], descriptor, spare_core != 0);
            if (!mirror) continue;
            dlib::flip_image_left_right(chips[size_t(i)], flipped);
            engine->descriptors->run(flipped, flipped_descriptor.data(), spare_core != 0);
            for (int d = 0; d < DescriptorNetwork::dimensions; ++d) {
                descriptor[d] = (descriptor[d] + flipped_descriptor[size_t(d)]) * 0.5f;
            }
        }
        if (timing != nullptr) {
            timing->chip_ms = chip_ms;
            timing->embed_ms = elapsed_ms(started);
        }
    });
}

extern "C" int dlibface_descriptor_difference(dlibface_engine *engine, const dlibface_image *image,
                                              const dlibface_rect *boxes, const double *points, int32_t n,
                                              double *max_difference, char *err, size_t err_len) {
    return guarded(err, err_len, [&] {
        *max_difference = 0;
        if (n <= 0) return;
        std::vector<dlib::matrix<dlib::rgb_pixel>> chips = face_chips(image, boxes, points, n);
        const std::vector<dlib::matrix<float, 0, 1>> reference = engine->descriptor(chips, 16);
        std::array<float, DescriptorNetwork::dimensions> alone, shared;
        for (size_t i = 0; i < chips.size(); ++i) {
            engine->descriptors->run(chips[i], alone.data(), false);
            engine->descriptors->run(chips[i], shared.data(), true, true);
            for (int d = 0; d < DescriptorNetwork::dimensions; ++d) {
                const double expected = reference[i](d);
                *max_difference = std::max({*max_difference, std::abs(double(alone[size_t(d)]) - expected),
                                            std::abs(double(shared[size_t(d)]) - expected)});
            }
        }
    });
}

extern "C" int dlibface_detect_yunet(dlibface_engine *engine, const dlibface_image *image,
                                     const dlibface_yunet_options *options, dlibface_detection *out,
                                     int32_t capacity, int32_t *count, char *err, size_t err_len) {
    return guarded(err, err_len, [&] {
        *count = 0;
        if (!engine->yunet) throw Failure(DLIBFACE_INVALID_ARGUMENT, "YuNet detector not loaded");
        if (options == nullptr || !(options->score_threshold >= 0 && options->score_threshold <= 1) ||
            !(options->nms_threshold > 0 && options->nms_threshold <= 1) || !(options->min_face >= 0) ||
            options->max_input_side < 0 || options->min_input_side < 0 || options->spare_core < 0 || options->spare_core > 1) {
            throw Failure(DLIBFACE_INVALID_ARGUMENT, "invalid YuNet options");
        }
        const YuNetSettings settings{options->score_threshold, options->nms_threshold, options->min_face, options->max_input_side,
                                     options->min_input_side, options->spare_core == 1};
        const std::vector<YuNetFace> faces = engine->yunet->detect(image->pixels, settings);
        int32_t written = 0;
        for (const auto &face : faces) {
            if (written >= capacity) break;
            dlibface_detection &detection = out[written++];
            // Inclusive corners, like dlib's boxes: width = right - left + 1.
            detection.box = dlibface_rect{face.x, face.y, face.x + face.width - 1, face.y + face.height - 1, face.score};
            std::memcpy(detection.landmarks, face.landmarks, sizeof(detection.landmarks));
        }
        *count = int32_t(faces.size());
    });
}

extern "C" int dlibface_yunet_compare(dlibface_engine *engine, const dlibface_image *image, int32_t portable,
                                      double *max_difference, char *err, size_t err_len) {
    return guarded(err, err_len, [&] {
        if (!engine->yunet) throw Failure(DLIBFACE_INVALID_ARGUMENT, "YuNet detector not loaded");
        *max_difference = engine->yunet->backend_difference(image->pixels, portable != 0);
    });
}

extern "C" void dlibface_job_started(void) { dlibface::row_split::job_started(); }
extern "C" void dlibface_job_ended(void) { dlibface::row_split::job_ended(); }

extern "C" int dlibface_yunet_split_difference(dlibface_engine *engine, const dlibface_image *image, double *max_difference,
                                               char *err, size_t err_len) {
    return guarded(err, err_len, [&] {
        if (!engine->yunet) throw Failure(DLIBFACE_INVALID_ARGUMENT, "YuNet detector not loaded");
        *max_difference = engine->yunet->split_difference(image->pixels);
    });
}

extern "C" int dlibface_yunet_area_difference(const dlibface_image *image, int32_t width, int32_t height,
                                              double *max_difference, char *err, size_t err_len) {
    return guarded(err, err_len, [&] { *max_difference = YuNet::area_difference(image->pixels, width, height); });
}
