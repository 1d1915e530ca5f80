// Shared internals of the C shim: the image type and the exception → status boundary.
#pragma once
#include "dlibface.h"
#include <dlib/matrix.h>
#include <dlib/pixel.h>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <stdexcept>
#include <string>

struct dlibface_image {
    dlib::matrix<dlib::rgb_pixel> pixels;
};

namespace dlibface {

// An error carrying the C status it maps to.
struct Failure : std::runtime_error {
    int status;
    Failure(int status, const std::string &message) : std::runtime_error(message), status(status) {}
};

inline void write_error(char *err, size_t err_len, const char *message) {
    if (err != nullptr && err_len > 0) {
        std::snprintf(err, err_len, "%s", message);
    }
}

// Runs `body`, turning every C++ exception into a status code and message.
template <typename Body>
int guarded(char *err, size_t err_len, Body &&body) {
    try {
        body();
        return DLIBFACE_OK;
    } catch (const Failure &failure) {
        write_error(err, err_len, failure.what());
        return failure.status;
    } catch (const std::bad_alloc &) {
        write_error(err, err_len, "out of memory");
        return DLIBFACE_INTERNAL;
    } catch (const std::exception &error) {
        write_error(err, err_len, error.what());
        return DLIBFACE_INTERNAL;
    } catch (...) {
        write_error(err, err_len, "unknown C++ exception");
        return DLIBFACE_INTERNAL;
    }
}

// Decoders (image_jpeg.cpp, image_png.cpp).
void decode_jpeg(const uint8_t *data, size_t len, int64_t max_pixels, dlib::matrix<dlib::rgb_pixel> &out);
void decode_png(const uint8_t *data, size_t len, int64_t max_pixels, dlib::matrix<dlib::rgb_pixel> &out);
// EXIF orientation (1..8) from a JPEG APP1 payload, 1 when absent or unreadable.
int exif_orientation(const uint8_t *app1, size_t len);
void apply_orientation(dlib::matrix<dlib::rgb_pixel> &image, int orientation);

inline void check_pixels(long width, long height, int64_t max_pixels) {
    if (width <= 0 || height <= 0) throw Failure(DLIBFACE_CORRUPT_IMAGE, "image has no pixels");
    if (max_pixels > 0 && int64_t(width) * int64_t(height) > max_pixels) {
        throw Failure(DLIBFACE_IMAGE_TOO_LARGE,
                      "image is " + std::to_string(width) + "x" + std::to_string(height) +
                          ", more than the limit of " + std::to_string(max_pixels) + " pixels");
    }
}

} // namespace dlibface
