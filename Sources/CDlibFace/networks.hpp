// The two dlib networks whose trained weights FaceStream loads. Layer types must match the
// serialized models exactly: the ResNet of dlib's dnn_face_recognition_ex.cpp and the MMOD
// detector of dnn_mmod_face_detection_ex.cpp.
#pragma once
#include <dlib/dnn.h>

namespace dlibface::nets {
using namespace dlib;

// --- 128-D face descriptor: a 29-layer ResNet on 150x150 aligned chips -----------------------
template <int N, template <typename> class BN, int stride, typename SUBNET>
using conv_pair = BN<con<N, 3, 3, 1, 1, relu<BN<con<N, 3, 3, stride, stride, SUBNET>>>>>;

template <template <int, template <typename> class, int, typename> class block, int N,
          template <typename> class BN, typename SUBNET>
using residual = add_prev1<block<N, BN, 1, tag1<SUBNET>>>;

template <template <int, template <typename> class, int, typename> class block, int N,
          template <typename> class BN, typename SUBNET>
using residual_down = add_prev2<avg_pool<2, 2, 2, 2, skip1<tag2<block<N, BN, 2, tag1<SUBNET>>>>>>;

template <int N, typename SUBNET> using ares = relu<residual<conv_pair, N, affine, SUBNET>>;
template <int N, typename SUBNET> using ares_down = relu<residual_down<conv_pair, N, affine, SUBNET>>;

template <typename SUBNET> using level0 = ares_down<256, SUBNET>;
template <typename SUBNET> using level1 = ares<256, ares<256, ares_down<256, SUBNET>>>;
template <typename SUBNET> using level2 = ares<128, ares<128, ares_down<128, SUBNET>>>;
template <typename SUBNET> using level3 = ares<64, ares<64, ares<64, ares_down<64, SUBNET>>>>;
template <typename SUBNET> using level4 = ares<32, ares<32, ares<32, SUBNET>>>;

using descriptor_net = loss_metric<fc_no_bias<128, avg_pool_everything<
    level0<level1<level2<level3<level4<
    max_pool<3, 3, 2, 2, relu<affine<con<32, 7, 7, 2, 2, input_rgb_image_sized<150>>>>>>>>>>>>>;

// --- MMOD CNN face detector ----------------------------------------------------------------
template <long F, typename SUBNET> using con5d = con<F, 5, 5, 2, 2, SUBNET>;
template <long F, typename SUBNET> using con5 = con<F, 5, 5, 1, 1, SUBNET>;
template <typename SUBNET>
using downsampler = relu<affine<con5d<32, relu<affine<con5d<32, relu<affine<con5d<16, SUBNET>>>>>>>>>;
template <typename SUBNET> using rcon5 = relu<affine<con5<45, SUBNET>>>;

using mmod_net = loss_mmod<con<1, 9, 9, 1, 1, rcon5<rcon5<rcon5<downsampler<
    input_rgb_image_pyramid<pyramid_down<6>>>>>>>>;

} // namespace dlibface::nets
