#!/usr/bin/env python3
"""Rewrites YuNet's block-quantised ONNX file into a plain fp32, opset-13 one.

    convert_yunet.py IN.onnx OUT.onnx

Why: the only packaged YuNet we can get (face_detection_yunet_2023mar_int8bq.onnx) stores its
weights as int8 + DequantizeLinear with a `block_size` attribute (opset 21). Debian 12's OpenCV 4.6
(cv::dnn::readNetFromONNX) knows neither that attribute nor opsets past ~13. Every
DequantizeLinear there feeds on initialisers only (weight, scale, zero point), as do the Reshapes
that turn the dequantised 2-D weights back into conv kernels, so we evaluate those nodes here,
store the results as fp32 initialisers, and declare opset 13. The rest of the graph (Conv, Relu,
MaxPool, Resize, Transpose, Sigmoid, Add, Reshape) means the same at opset 13 and uses no newer
attribute; onnx.checker re-validates that against the opset-13 schemas. The graph input stays
declared 1x3x640x640, but OpenCV takes any H and W that are multiples of 32. The output is
deterministic, so scripts/setup pins its sha256.
"""
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

OPSET = 13
IR_VERSION = 7  # the IR version that goes with opset 13


def dequantize(x, scale, zero_point, axis=1, block_size=0):
    # y = (x - zero_point) * scale. Per-tensor when scale is a scalar; per-axis when it is 1-D;
    # blocked when block_size > 0: scale/zero_point have x's shape except along `axis`, where
    # each entry covers block_size consecutive elements (the last block may be short).
    x = x.astype(np.int32)
    zero_point = np.zeros_like(scale, np.int32) if zero_point is None else zero_point.astype(np.int32)
    axis %= x.ndim
    if block_size:
        n = x.shape[axis]
        scale = np.repeat(scale, block_size, axis=axis).take(range(n), axis=axis)
        zero_point = np.repeat(zero_point, block_size, axis=axis).take(range(n), axis=axis)
    elif scale.ndim == 1 and scale.size > 1:
        shape = [1] * x.ndim
        shape[axis] = -1
        scale, zero_point = scale.reshape(shape), zero_point.reshape(shape)
    return ((x - zero_point).astype(np.float32) * scale).astype(np.float32)


def fold(node, args):
    attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    if node.op_type == "DequantizeLinear":
        return dequantize(*(args + [None] * (3 - len(args))), attrs.get("axis", 1), attrs.get("block_size", 0))
    if node.op_type == "Reshape" and not attrs.get("allowzero", 0):
        shape = [d if d else args[0].shape[i] for i, d in enumerate(args[1].tolist())]  # 0 copies the dim
        return args[0].reshape(shape)
    return None


def convert(model):
    graph = model.graph
    consts = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    kept = []
    for node in graph.node:  # nodes are topologically sorted, so a chain DQ -> Reshape folds in one pass
        ins = [i for i in node.input if i]
        out = fold(node, [consts[i] for i in ins]) if ins and all(i in consts for i in ins) else None
        if out is None:
            kept.append(node)
        else:
            consts[node.output[0]] = out
    if any(n.op_type == "DequantizeLinear" for n in kept):
        sys.exit("a DequantizeLinear reads a non-constant input; OpenCV 4.6 could not run it")

    used = {i for n in kept for i in n.input} | {o.name for o in graph.output}
    produced = {o for n in kept for o in n.output}
    initialisers = [numpy_helper.from_array(consts[name], name) for name in consts if name in used]
    value_info = [v for v in graph.value_info if v.name in produced]
    del graph.node[:], graph.initializer[:], graph.value_info[:]
    graph.node.extend(kept)
    graph.initializer.extend(initialisers)
    graph.value_info.extend(value_info)

    del model.opset_import[:]
    model.opset_import.append(helper.make_opsetid("", OPSET))
    model.ir_version = IR_VERSION
    # Fails on any op missing from opset 13 or using an attribute its opset-13 schema lacks.
    onnx.checker.check_model(model, full_check=True)
    return model


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    onnx.save(convert(onnx.load(sys.argv[1])), sys.argv[2])
