// JPEG decoding from memory with libjpeg(-turbo): size checked before decoding, EXIF orientation
// applied, a truncated file is an error (libjpeg would silently pad it with gray). Gray, YCbCr,
// CMYK and YCCK files all come out as RGB.
#include "internal.hpp"
#include <csetjmp>
#include <jpeglib.h>
#include <jerror.h>
#include <vector>

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

// libjpeg converts YCCK to CMYK but not CMYK to RGB. Adobe's files (Photoshop, most CMYK JPEGs
// in the wild) store the channels inverted, which the Adobe APP14 marker tells.
void cmyk_row_to_rgb(const JSAMPLE *cmyk, long width, bool inverted, dlib::rgb_pixel *out) {
    for (long x = 0; x < width; ++x, cmyk += 4) {
        int c = cmyk[0], m = cmyk[1], y = cmyk[2], k = cmyk[3];
        if (!inverted) { c = 255 - c; m = 255 - m; y = 255 - y; k = 255 - k; }
        // Now 255 means "no ink": R = (1 - C)(1 - K).
        out[x] = dlib::rgb_pixel(uint8_t((c * k + 127) / 255), uint8_t((m * k + 127) / 255), uint8_t((y * k + 127) / 255));
    }
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
    std::vector<JSAMPLE> cmyk; // before setjmp: a longjmp must not skip a destructor
    // Only plain C state lives between setjmp and the libjpeg calls that may longjmp back.
    if (setjmp(errors.jump)) {
        throw Failure(DLIBFACE_CORRUPT_IMAGE, std::string("corrupt JPEG: ") + errors.message);
    }
    jpeg_mem_src(&info, data, static_cast<unsigned long>(len));
    jpeg_save_markers(&info, JPEG_APP0 + 1, 0xFFFF);
    jpeg_read_header(&info, TRUE);
    check_pixels(long(info.image_width), long(info.image_height), max_pixels);
    const bool four_channel = info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK;
    info.out_color_space = four_channel ? JCS_CMYK : JCS_RGB;
    jpeg_start_decompress(&info);
    if (info.output_components != (four_channel ? 4 : 3)) throw Failure(DLIBFACE_CORRUPT_IMAGE, "unsupported JPEG colour layout");
    out.set_size(info.output_height, info.output_width);
    cmyk.resize(four_channel ? size_t(info.output_width) * 4 : 0);
    while (info.output_scanline < info.output_height) {
        const long y = long(info.output_scanline);
        JSAMPROW row = four_channel ? cmyk.data() : reinterpret_cast<JSAMPROW>(&out(y, 0));
        jpeg_read_scanlines(&info, &row, 1);
        if (errors.truncated) break;
        if (four_channel) cmyk_row_to_rgb(cmyk.data(), long(info.output_width), info.saw_Adobe_marker, &out(y, 0));
    }
    if (errors.truncated) throw Failure(DLIBFACE_CORRUPT_IMAGE, "corrupt JPEG: premature end of data (truncated file)");
    int orientation = orientation_from_markers(info);
    jpeg_finish_decompress(&info);
    apply_orientation(out, orientation);
}

} // namespace dlibface
