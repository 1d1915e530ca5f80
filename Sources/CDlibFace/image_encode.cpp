// Baseline JPEG encoding into memory (synthetic frames for tests and benchmarks, snapshots).
#include "internal.hpp"
#include <csetjmp>
#include <cstdlib>
#include <jpeglib.h>

namespace {

struct EncodeErrors {
    jpeg_error_mgr manager;
    std::jmp_buf jump;
    char message[JMSG_LENGTH_MAX] = {0};
};

void on_encode_error(j_common_ptr info) {
    auto *errors = reinterpret_cast<EncodeErrors *>(info->err);
    info->err->format_message(info, errors->message);
    std::longjmp(errors->jump, 1);
}

} // namespace

extern "C" int dlibface_image_encode_jpeg(const dlibface_image *image, int quality, uint8_t **out,
                                          size_t *out_len, char *err, size_t err_len) {
    using namespace dlibface;
    return guarded(err, err_len, [&] {
        *out = nullptr;
        *out_len = 0;
        jpeg_compress_struct info;
        EncodeErrors errors;
        unsigned char *buffer = nullptr;
        unsigned long size = 0;
        info.err = jpeg_std_error(&errors.manager);
        errors.manager.error_exit = on_encode_error;
        jpeg_create_compress(&info);
        if (setjmp(errors.jump)) {
            jpeg_destroy_compress(&info);
            std::free(buffer);
            throw Failure(DLIBFACE_INTERNAL, std::string("JPEG encoding failed: ") + errors.message);
        }
        jpeg_mem_dest(&info, &buffer, &size);
        info.image_width = JDIMENSION(image->pixels.nc());
        info.image_height = JDIMENSION(image->pixels.nr());
        info.input_components = 3;
        info.in_color_space = JCS_RGB;
        jpeg_set_defaults(&info);
        jpeg_set_quality(&info, quality < 1 ? 1 : quality > 100 ? 100 : quality, TRUE);
        jpeg_start_compress(&info, TRUE);
        while (info.next_scanline < info.image_height) {
            JSAMPROW row = const_cast<JSAMPROW>(
                reinterpret_cast<const JSAMPLE *>(&image->pixels(long(info.next_scanline), 0)));
            jpeg_write_scanlines(&info, &row, 1);
        }
        jpeg_finish_compress(&info);
        jpeg_destroy_compress(&info);
        *out = buffer;
        *out_len = size;
    });
}
