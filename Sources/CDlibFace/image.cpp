// Image handles: decode dispatch by signature, raw RGB import, pixel access.
#include "internal.hpp"
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <algorithm>
#include <cmath>
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

extern "C" void dlibface_image_gray_grid(const dlibface_image *image, int32_t columns, int32_t rows, uint8_t *out) {
    const long width = image->pixels.nc(), height = image->pixels.nr();
    for (int32_t row = 0; row < rows; ++row) {
        const long top = height * row / rows, bottom = std::max(top + 1, height * (row + 1) / rows);
        for (int32_t column = 0; column < columns; ++column) {
            const long left = width * column / columns, right = std::max(left + 1, width * (column + 1) / columns);
            double sum = 0;
            long count = 0;
            for (long y = top; y < bottom && y < height; ++y) {
                for (long x = left; x < right && x < width; ++x) {
                    const auto &p = image->pixels(y, x);
                    sum += 0.299 * p.red + 0.587 * p.green + 0.114 * p.blue;
                    ++count;
                }
            }
            out[row * columns + column] = uint8_t(count > 0 ? std::lround(sum / double(count)) : 0);
        }
    }
}

extern "C" int dlibface_set_thread_nice(int nice) {
#ifdef __linux__
    return setpriority(PRIO_PROCESS, id_t(syscall(SYS_gettid)), nice);
#else
    (void)nice;
    return -1;
#endif
}
