// C API over face detection (YuNet on its own kernels, dlib HOG/MMOD), landmarks and 128-D embeddings.
// Every function returns a status (DLIBFACE_OK or an error code) and, on error, writes a
// NUL-terminated message into `err` (at most `err_len` bytes). No C++ exception crosses it.
// Handles are single-threaded: use one engine per thread (dlib's networks keep scratch state).
#pragma once
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    DLIBFACE_OK = 0,
    DLIBFACE_EMPTY_INPUT = 1,
    DLIBFACE_UNSUPPORTED_FORMAT = 2,
    DLIBFACE_CORRUPT_IMAGE = 3,
    DLIBFACE_IMAGE_TOO_LARGE = 4,
    DLIBFACE_MODEL_ERROR = 5,
    DLIBFACE_INVALID_ARGUMENT = 6,
    DLIBFACE_INTERNAL = 7,
};

typedef struct dlibface_image dlibface_image;
typedef struct dlibface_engine dlibface_engine;

typedef struct {
    double left, top, right, bottom; // inclusive pixel box in image coordinates
    double score;                    // detector confidence (HOG: SVM margin; CNN: MMOD score)
} dlibface_rect;

// A YuNet detection: the tight face box and YuNet's own five landmarks (x, y pairs: right eye,
// left eye, nose tip, right mouth corner, left mouth corner, as seen from the subject).
typedef struct {
    dlibface_rect box; // score: sqrt(class * objectness), 0...1
    double landmarks[10];
} dlibface_detection;

typedef struct {
    double score_threshold; // keep detections scoring at least this (0...1)
    double nms_threshold;   // IoU above which the weaker of two boxes is dropped
    double min_face;        // smallest box side kept, in source pixels
    int32_t max_input_side; // larger images are scaled down to this longest side first (0 = never)
    int32_t min_input_side; // smaller images are scaled up to this longest side first (0 = never)
    int32_t spare_core;     // 1: may share the rows with the spare-core helper while no other engine job runs
} dlibface_yunet_options;

typedef struct {
    double chip_ms;  // aligning/extracting the 150x150 chips
    double embed_ms; // running the ResNet
} dlibface_embed_timing;

// ---- images -------------------------------------------------------------------------------
// Decodes JPEG (EXIF orientation applied) or PNG (gray/RGB/RGBA/palette, 8 or 16 bit) from memory
// into 8-bit RGB. Images with more than `max_pixels` pixels are refused before any pixel is decoded.
int dlibface_image_decode(const uint8_t *data, size_t len, int64_t max_pixels,
                          dlibface_image **out, char *err, size_t err_len);
// Copies packed 8-bit RGB rows (stride = width*3).
int dlibface_image_from_rgb(const uint8_t *rgb, int32_t width, int32_t height,
                            dlibface_image **out, char *err, size_t err_len);
// A copy resized to `width` x `height` (area averaging when shrinking, bilinear when enlarging).
int dlibface_image_resized(const dlibface_image *image, int32_t width, int32_t height,
                           dlibface_image **out, char *err, size_t err_len);
// The region `width` x `height` at (`left`, `top`) (inside the image) resized to `out_width` x
// `out_height` (area averaging when shrinking, bilinear when enlarging).
int dlibface_image_crop_resized(const dlibface_image *image, int32_t left, int32_t top, int32_t width,
                                int32_t height, int32_t out_width, int32_t out_height,
                                dlibface_image **out, char *err, size_t err_len);
void dlibface_image_free(dlibface_image *image);
int32_t dlibface_image_width(const dlibface_image *image);
int32_t dlibface_image_height(const dlibface_image *image);
// Packed RGB pixels, width*height*3 bytes, valid while the image lives.
const uint8_t *dlibface_image_pixels(const dlibface_image *image);
// Encodes as baseline JPEG into a malloc'd buffer the caller frees with dlibface_buffer_free.
int dlibface_image_encode_jpeg(const dlibface_image *image, int quality, uint8_t **out,
                               size_t *out_len, char *err, size_t err_len);
void dlibface_buffer_free(uint8_t *buffer);


// ---- engine -------------------------------------------------------------------------------
// Loads the HOG detector, the 5-point shape predictor and the ResNet from the given files.
// `cnn_model_path` may be NULL (MMOD CNN detector unavailable); so may `yunet_model_path` (the
// ONNX YuNet 2023mar model, converted for OpenCV 4.6 by scripts/setup).
int dlibface_engine_new(const char *shape_predictor_path, const char *recognition_model_path,
                        const char *cnn_model_path, const char *yunet_model_path,
                        dlibface_engine **out, char *err, size_t err_len);
void dlibface_engine_free(dlibface_engine *engine);

// Detects faces. The image is first resized by `scale` (0 < scale <= 1; 1 = as is), then
// upsampled `upsample` times (pyramid_up, as dlib's Python API does). Boxes come back in the
// original image's coordinates, best first. `use_cnn` selects the MMOD detector (if loaded).
// At most `capacity` boxes are written; `count` receives how many were found in total.
int dlibface_detect(dlibface_engine *engine, const dlibface_image *image, int upsample,
                    double scale, int use_cnn, dlibface_rect *out, int32_t capacity,
                    int32_t *count, char *err, size_t err_len);

// Detects faces with YuNet (loaded by dlibface_engine_new). Any image size: it is padded to the
// network's stride (and first scaled so its longest side is within [min_input_side,
// max_input_side]); boxes
// and landmarks come back in source pixels, best first. At most `capacity` are written; `count`
// receives how many were found in total.
int dlibface_detect_yunet(dlibface_engine *engine, const dlibface_image *image,
                          const dlibface_yunet_options *options, dlibface_detection *out,
                          int32_t capacity, int32_t *count, char *err, size_t err_len);
// For tests: runs YuNet's network on `image` (padded to the stride) on FaceStream's own kernels
// (their portable loops when `portable` is non-zero, else the CPU's AVX2 ones where it has them)
// and through OpenCV's cv::dnn, and writes the largest absolute difference between the two sets of
// outputs (class and objectness after the sigmoid, boxes, landmarks) to `max_difference`.
int dlibface_yunet_compare(dlibface_engine *engine, const dlibface_image *image, int32_t portable,
                           double *max_difference, char *err, size_t err_len);
// The engine worker pools report each job's start and end: YuNet uses the spare-core helper thread
// (dlibface_yunet_options.spare_core) only while a single job runs in the process.
void dlibface_job_started(void);
void dlibface_job_ended(void);

// For tests: runs YuNet's network on `image` on this thread alone, then with its rows shared with
// the spare-core helper thread (waiting for it if another engine holds it), and writes the largest
// absolute difference between the two sets of outputs to `max_difference` (the split is exact: 0).
int dlibface_yunet_split_difference(dlibface_engine *engine, const dlibface_image *image, double *max_difference,
                                    char *err, size_t err_len);

// For tests: scales `image` down to `width` x `height` by area averaging as YuNet loads its input,
// and with OpenCV's cv::resize (INTER_AREA), and writes the largest absolute difference of any
// channel value to `max_difference` (OpenCV's are rounded to 8 bits: at most ~0.5).
int dlibface_yunet_area_difference(const dlibface_image *image, int32_t width, int32_t height, double *max_difference,
                                   char *err, size_t err_len);

// 5-point landmarks for `n` boxes: writes n*5 (x, y) pairs into `points` (n*10 doubles).
int dlibface_landmarks(dlibface_engine *engine, const dlibface_image *image,
                       const dlibface_rect *boxes, int32_t n, double *points, char *err,
                       size_t err_len);

// Aligned 150x150 chips (get_face_chip_details(shape, 150, 0.25)) for `n` faces given their
// boxes and dlib 5-point landmarks, then their 128-D descriptors from dlib's ResNet (evaluated by
// FaceStream's layers, descriptor_network.hpp): writes n*128 floats into `descriptors` and, when
// non-NULL, the chip's sharpness (variance of the Laplacian of its gray levels) into `sharpness`
// (n doubles). With `mirror` != 0 each descriptor is the mean of the chip's and its horizontal
// mirror image's (twice the ResNet work). `spare_core` != 0: the network may share its rows with
// the spare-core helper thread while no other engine job runs. `timing` may be NULL.
int dlibface_embed(dlibface_engine *engine, const dlibface_image *image,
                   const dlibface_rect *boxes, const double *points, int32_t n, int mirror, int spare_core,
                   float *descriptors, double *sharpness, dlibface_embed_timing *timing,
                   char *err, size_t err_len);

// For tests: the faces' descriptors from dlib's own evaluation of the ResNet, from FaceStream's on
// this thread alone and from FaceStream's with the spare-core helper (waiting for it); writes the
// largest absolute difference between dlib's and either of FaceStream's to `max_difference`.
int dlibface_descriptor_difference(dlibface_engine *engine, const dlibface_image *image,
                                   const dlibface_rect *boxes, const double *points, int32_t n,
                                   double *max_difference, char *err, size_t err_len);

#ifdef __cplusplus
}
#endif
