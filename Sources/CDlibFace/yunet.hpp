// YuNet (2023mar): OpenCV reads the model, FaceStream's kernels run it. Only this header's plain
// types reach the rest of the shim: OpenCV stays inside yunet.cpp.
#pragma once
#include "internal.hpp"
#include <memory>
#include <vector>

namespace cv { class Mat; }

namespace dlibface {

struct YuNetFace {
    double x, y, width, height; // tight face box in source pixels
    double score;               // sqrt(cls * obj), 0...1
    double landmarks[10];       // right eye, left eye, nose tip, right and left mouth corner (x, y)
};

struct YuNetSettings {
    double score_threshold;
    double nms_threshold;
    double min_face;     // smallest box side kept, source pixels
    int max_input_side;  // larger images are scaled down to this longest side first (0 = never)
    int min_input_side;  // smaller images are scaled up to this longest side first (0 = never)
    bool spare_core;     // share the network's rows with the spare-core helper when it is free
};

class YuNet {
public:
    explicit YuNet(const char *model_path); // throws Failure(DLIBFACE_MODEL_ERROR) naming the file
    ~YuNet();
    YuNet(const YuNet &) = delete;
    YuNet &operator=(const YuNet &) = delete;

    std::vector<YuNetFace> detect(const dlib::matrix<dlib::rgb_pixel> &image, const YuNetSettings &settings);
    // Runs the network on `image` (padded to the stride) both on FaceStream's kernels (the portable
    // loops if `portable`) and through cv::dnn; returns the largest absolute difference of their outputs.
    double backend_difference(const dlib::matrix<dlib::rgb_pixel> &image, bool portable);
    // Runs the network on `image` alone, then sharing its rows with the spare-core helper; returns
    // the largest absolute difference of their outputs.
    double split_difference(const dlib::matrix<dlib::rgb_pixel> &image);
    // Scales `image` down to `width` x `height` as the network loads it, and with cv::resize's
    // INTER_AREA; returns the largest absolute difference of any channel value (OpenCV rounds to 8 bits).
    static double area_difference(const dlib::matrix<dlib::rgb_pixel> &image, int width, int height);

private:
    void collect(const cv::Mat &rgb, double scale, double max_face, const YuNetSettings &settings,
                 std::vector<YuNetFace> &candidates);
    struct State;
    std::unique_ptr<State> state;
};

} // namespace dlibface
