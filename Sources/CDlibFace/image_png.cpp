// PNG decoding from memory with libpng: any colour type and bit depth to 8-bit RGB. Alpha is
// dropped, not composited (what PIL's convert("RGB") does, so results match the reference).
#include "internal.hpp"
#include <png.h>

namespace {

struct PngSource {
    const uint8_t *data;
    size_t len;
    size_t offset;
    char message[256];
};

void read_png_bytes(png_structp png, png_bytep into, png_size_t count) {
    auto *source = static_cast<PngSource *>(png_get_io_ptr(png));
    if (count > source->len - source->offset) png_error(png, "premature end of data (truncated file)");
    std::memcpy(into, source->data + source->offset, count);
    source->offset += count;
}

void on_png_error(png_structp png, png_const_charp message) {
    auto *source = static_cast<PngSource *>(png_get_error_ptr(png));
    std::snprintf(source->message, sizeof(source->message), "%s", message);
    png_longjmp(png, 1);
}

void on_png_warning(png_structp, png_const_charp) {}

struct ReadGuard {
    png_structp png;
    png_infop info;
    ~ReadGuard() { png_destroy_read_struct(&png, info ? &info : nullptr, nullptr); }
};

} // namespace

namespace dlibface {

void decode_png(const uint8_t *data, size_t len, int64_t max_pixels,
                dlib::matrix<dlib::rgb_pixel> &out) {
    PngSource source{data, len, 0, {0}};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &source, on_png_error, on_png_warning);
    if (png == nullptr) throw Failure(DLIBFACE_INTERNAL, "libpng initialisation failed");
    ReadGuard guard{png, png_create_info_struct(png)};
    if (guard.info == nullptr) throw Failure(DLIBFACE_INTERNAL, "libpng initialisation failed");
    std::vector<png_bytep> rows;
    if (setjmp(png_jmpbuf(png))) {
        throw Failure(DLIBFACE_CORRUPT_IMAGE, std::string("corrupt PNG: ") + source.message);
    }
    png_set_read_fn(png, &source, read_png_bytes);
    png_read_info(png, guard.info);
    png_uint_32 width = png_get_image_width(png, guard.info);
    png_uint_32 height = png_get_image_height(png, guard.info);
    check_pixels(long(width), long(height), max_pixels);
    int color = png_get_color_type(png, guard.info);
    int depth = png_get_bit_depth(png, guard.info);
    if (depth == 16) png_set_strip_16(png);
    if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (color == PNG_COLOR_TYPE_GRAY || color == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);
    if (color & PNG_COLOR_MASK_ALPHA) png_set_strip_alpha(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, guard.info);
    if (png_get_rowbytes(png, guard.info) != size_t(width) * 3) {
        throw Failure(DLIBFACE_CORRUPT_IMAGE, "unsupported PNG pixel layout");
    }
    out.set_size(height, width);
    rows.resize(height);
    for (png_uint_32 y = 0; y < height; ++y) rows[y] = reinterpret_cast<png_bytep>(&out(long(y), 0));
    png_read_image(png, rows.data());
    png_read_end(png, nullptr);
}

} // namespace dlibface
