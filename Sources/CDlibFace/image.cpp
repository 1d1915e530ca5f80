// Image handles: decode dispatch by signature, raw RGB import, pixel access.
#include "internal.hpp"
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <opencv2/imgproc.hpp>

using namespace dlibface;

namespace {

// Names the formats people send that are not decoded, so the refusal says what was received.
const char *recognised_other_format(const uint8_t *data, size_t len) {
    auto starts = [&](const char *magic, size_t at = 0) {
        const size_t n = std::strlen(magic);
        return len >= at + n && std::memcmp(data + at, magic, n) == 0;
    };
    if (starts("GIF87a") || starts("GIF89a")) return "GIF";
    if (starts("RIFF") && starts("WEBP", 8)) return "WebP";
    if (starts("ftypheic", 4) || starts("ftypheix", 4) || starts("ftypmif1", 4)) return "HEIC";
    if (starts("ftypavif", 4)) return "AVIF";
    if (starts("BM")) return "BMP";
    if (len >= 4 && (std::memcmp(data, "II*\0", 4) == 0 || std::memcmp(data, "MM\0*", 4) == 0)) return "TIFF";
    return nullptr;
}

} // namespace

extern "C" int dlibface_image_decode(const uint8_t *data, size_t len, int64_t max_pixels,
                                     dlibface_image **out, char *err, size_t err_len) {
    return guarded(err, err_len, [&] {
        *out = nullptr;
        if (data == nullptr || len == 0) throw Failure(DLIBFACE_EMPTY_INPUT, "empty input");
        auto image = std::make_unique<dlibface_image>();
        if (len >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) {
            decode_jpeg(data, len, max_pixels, image->pixels);
        } else if (len >= 8 && std::memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0) {
            decode_png(data, len, max_pixels, image->pixels);
        } else {
            const char *other = recognised_other_format(data, len);
            throw Failure(DLIBFACE_UNSUPPORTED_FORMAT, other ? std::string(other) + " images are not supported; send JPEG or PNG"
                                                             : std::string("not a JPEG or PNG image"));
        }
        *out = image.release();
    });
}

extern "C" int dlibface_image_from_rgb(const uint8_t *rgb, int32_t width, int32_t height,
                                       dlibface_image **out, char *err, size_t err_len) {
    return guarded(err, err_len, [&] {
        *out = nullptr;
        if (rgb == nullptr || width <= 0 || height <= 0)
            throw Failure(DLIBFACE_INVALID_ARGUMENT, "invalid RGB buffer");
        auto image = std::make_unique<dlibface_image>();
        image->pixels.set_size(height, width);
        std::memcpy(&image->pixels(0, 0), rgb, size_t(width) * size_t(height) * 3);
        *out = image.release();
    });
}

extern "C" int dlibface_image_resized(const dlibface_image *image, int32_t width, int32_t height,
                                      dlibface_image **out, char *err, size_t err_len) {
    return guarded(err, err_len, [&] {
        *out = nullptr;
        if (width <= 0 || height <= 0 || int64_t(width) * height > (int64_t(1) << 30))
            throw Failure(DLIBFACE_INVALID_ARGUMENT, "invalid size");
        auto resized = std::make_unique<dlibface_image>();
        resized->pixels.set_size(height, width);
        const cv::Mat source(int(image->pixels.nr()), int(image->pixels.nc()), CV_8UC3,
                             const_cast<dlib::rgb_pixel *>(&image->pixels(0, 0)));
        cv::Mat target(height, width, CV_8UC3, &resized->pixels(0, 0));
        const bool shrinking = width < source.cols && height < source.rows;
        cv::resize(source, target, target.size(), 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
        *out = resized.release();
    });
}

extern "C" void dlibface_image_free(dlibface_image *image) { delete image; }

extern "C" int32_t dlibface_image_width(const dlibface_image *image) {
    return int32_t(image->pixels.nc());
}

extern "C" int32_t dlibface_image_height(const dlibface_image *image) {
    return int32_t(image->pixels.nr());
}

extern "C" const uint8_t *dlibface_image_pixels(const dlibface_image *image) {
    static_assert(sizeof(dlib::rgb_pixel) == 3, "rgb_pixel must be packed");
    return reinterpret_cast<const uint8_t *>(&image->pixels(0, 0));
}

extern "C" void dlibface_buffer_free(uint8_t *buffer) { std::free(buffer); }
