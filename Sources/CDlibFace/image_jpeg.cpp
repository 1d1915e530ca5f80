// JPEG decoding from memory with libjpeg(-turbo): size checked before decoding, EXIF orientation
// applied, a truncated file is an error (libjpeg would silently pad it with gray).
#include "internal.hpp"
#include <csetjmp>
#include <jpeglib.h>
#include <jerror.h>

namespace {

struct JpegErrors {
    jpeg_error_mgr manager;
    std::jmp_buf jump;
    char message[JMSG_LENGTH_MAX] = {0};
    bool truncated = false;
};

void on_jpeg_error(j_common_ptr info) {
    auto *errors = reinterpret_cast<JpegErrors *>(info->err);
    info->err->format_message(info, errors->message);
    std::longjmp(errors->jump, 1);
}

void on_jpeg_message(j_common_ptr info, int level) {
    // Level -1 is a warning about corrupt data; premature EOF means the file was cut short.
    if (level < 0 && info->err->msg_code == JWRN_JPEG_EOF) {
        reinterpret_cast<JpegErrors *>(info->err)->truncated = true;
    }
}

struct DecompressGuard {
    jpeg_decompress_struct *info;
    ~DecompressGuard() { jpeg_destroy_decompress(info); }
};

int orientation_from_markers(jpeg_decompress_struct &info) {
    for (jpeg_saved_marker_ptr marker = info.marker_list; marker != nullptr; marker = marker->next) {
        if (marker->marker == JPEG_APP0 + 1) {
            int orientation = dlibface::exif_orientation(marker->data, marker->data_length);
            if (orientation != 1) return orientation;
        }
    }
    return 1;
}

} // namespace

namespace dlibface {

void decode_jpeg(const uint8_t *data, size_t len, int64_t max_pixels,
                 dlib::matrix<dlib::rgb_pixel> &out) {
    jpeg_decompress_struct info;
    JpegErrors errors;
    info.err = jpeg_std_error(&errors.manager);
    errors.manager.error_exit = on_jpeg_error;
    errors.manager.emit_message = on_jpeg_message;
    jpeg_create_decompress(&info);
    DecompressGuard guard{&info};
    // Only plain C state lives between setjmp and the libjpeg calls that may longjmp back.
    if (setjmp(errors.jump)) {
        throw Failure(DLIBFACE_CORRUPT_IMAGE, std::string("corrupt JPEG: ") + errors.message);
    }
    jpeg_mem_src(&info, data, static_cast<unsigned long>(len));
    jpeg_save_markers(&info, JPEG_APP0 + 1, 0xFFFF);
    jpeg_read_header(&info, TRUE);
    check_pixels(long(info.image_width), long(info.image_height), max_pixels);
    info.out_color_space = JCS_RGB;
    jpeg_start_decompress(&info);
    if (info.output_components != 3) throw Failure(DLIBFACE_CORRUPT_IMAGE, "unsupported JPEG colour layout");
    out.set_size(info.output_height, info.output_width);
    while (info.output_scanline < info.output_height) {
        JSAMPROW row = reinterpret_cast<JSAMPROW>(&out(long(info.output_scanline), 0));
        jpeg_read_scanlines(&info, &row, 1);
        if (errors.truncated) break;
    }
    if (errors.truncated) throw Failure(DLIBFACE_CORRUPT_IMAGE, "corrupt JPEG: premature end of data (truncated file)");
    int orientation = orientation_from_markers(info);
    jpeg_finish_decompress(&info);
    apply_orientation(out, orientation);
}

} // namespace dlibface
