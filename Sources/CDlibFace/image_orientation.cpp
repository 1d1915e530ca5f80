// EXIF orientation: read tag 0x0112 from a JPEG's APP1 segment and turn the pixels upright.
#include "internal.hpp"

namespace dlibface {

int exif_orientation(const uint8_t *app1, size_t len) {
    // "Exif\0\0" then a TIFF header: byte order, 42, offset of IFD0.
    if (len < 14 || std::memcmp(app1, "Exif\0\0", 6) != 0) return 1;
    const uint8_t *tiff = app1 + 6;
    size_t size = len - 6;
    bool little = tiff[0] == 'I' && tiff[1] == 'I';
    if (!little && !(tiff[0] == 'M' && tiff[1] == 'M')) return 1;
    auto u16 = [&](size_t at) -> uint32_t {
        return little ? uint32_t(tiff[at]) | uint32_t(tiff[at + 1]) << 8
                      : uint32_t(tiff[at]) << 8 | uint32_t(tiff[at + 1]);
    };
    auto u32 = [&](size_t at) -> uint32_t {
        return little ? u16(at) | u16(at + 2) << 16 : u16(at) << 16 | u16(at + 2);
    };
    if (u16(2) != 42) return 1;
    size_t ifd = u32(4);
    if (ifd + 2 > size) return 1;
    size_t entries = u16(ifd);
    for (size_t i = 0; i < entries; ++i) {
        size_t entry = ifd + 2 + i * 12;
        if (entry + 12 > size) return 1;
        if (u16(entry) == 0x0112 && u16(entry + 2) == 3) {
            uint32_t value = u16(entry + 8);
            return value >= 1 && value <= 8 ? int(value) : 1;
        }
    }
    return 1;
}

void apply_orientation(dlib::matrix<dlib::rgb_pixel> &image, int orientation) {
    if (orientation <= 1 || orientation > 8) return;
    const long w = image.nc(), h = image.nr();
    const bool swaps = orientation >= 5;
    dlib::matrix<dlib::rgb_pixel> upright(swaps ? w : h, swaps ? h : w);
    for (long y = 0; y < upright.nr(); ++y) {
        for (long x = 0; x < upright.nc(); ++x) {
            long sx = x, sy = y;
            switch (orientation) {
            case 2: sx = w - 1 - x; break;                   // mirrored
            case 3: sx = w - 1 - x; sy = h - 1 - y; break;   // rotated 180
            case 4: sy = h - 1 - y; break;                   // flipped vertically
            case 5: sx = y; sy = x; break;                   // transposed
            case 6: sx = y; sy = h - 1 - x; break;           // needs 90 clockwise
            case 7: sx = w - 1 - y; sy = h - 1 - x; break;   // transversed
            case 8: sx = w - 1 - y; sy = x; break;           // needs 90 counter-clockwise
            }
            upright(y, x) = image(sy, sx);
        }
    }
    image.swap(upright);
}

} // namespace dlibface
