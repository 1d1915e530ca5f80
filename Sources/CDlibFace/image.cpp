// Image handles: decode dispatch by signature, raw RGB import, pixel access.
#include "internal.hpp"
#include <cstdlib>

using namespace dlibface;

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
            throw Failure(DLIBFACE_UNSUPPORTED_FORMAT, "not a JPEG or PNG image");
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
