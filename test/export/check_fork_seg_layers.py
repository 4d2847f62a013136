"""Runs exported fork layers under PyTorch against each fork's forward, written out in plain Python.

Usage: check_fork_layers.py spec.json   (prints one JSON document)

spec.json: {"models": {phase: dir}, "inputs": {blob: {"shape", "data"}},
            "blobs": {layer: [{"shape", "data"}...]}, "cases": [case...]}
Each case names a layer, the phase whose export it runs in, and `ref`: the fork semantics and
the parameters as the prototxt writes them. The references below follow the forks' Forward_cpu
loops and Reshape size rules (cited per function), computed in float64 on Python lists; they
never look at the exported model.
"""
import importlib.util
import json
import math
import sys

import torch


# ---- tensors as (shape, flat list) ----------------------------------------------------------

def planes(shape):
    """Number of N*C planes and the plane's H, W of a 4-D shape."""
    n, c, h, w = shape
    return n * c, h, w


def at(flat, shape, *index):
    offset = 0
    for i, d in zip(index, shape):
        offset = offset * d + i
    return flat[offset]


# ---- references ----------------------------------------------------------------------------

def interp_size(r, h, w):
    """hszhao/PSPNet interp_layer.cpp:27-57: the branches in their order."""
    eff_h, eff_w = h + r.get("pad_beg", 0) + r.get("pad_end", 0), w + r.get("pad_beg", 0) + r.get("pad_end", 0)
    s, z = r.get("shrink_factor"), r.get("zoom_factor")
    shrink = lambda e: (e - 1) // s + 1
    zoom = lambda e: e + (e - 1) * (z - 1)
    if s is not None and z is None:
        return eff_h, eff_w, shrink(eff_h), shrink(eff_w)
    if z is not None and s is None:
        return eff_h, eff_w, zoom(eff_h), zoom(eff_w)
    if "height" in r and "width" in r:
        return eff_h, eff_w, r["height"], r["width"]
    return eff_h, eff_w, zoom(shrink(eff_h)), zoom(shrink(eff_w))


def ref_interp(r, x):
    """interp_layer.cpp:68-70 with caffe_cpu_interp2 (util/interp.cpp:14-80): crop at -pad_beg,
    copy when the sizes agree, else sample at rheight * h2 with the next row/column clamped."""
    shape, data = x
    count, h, w = planes(shape)
    h1, w1, h2, w2 = interp_size(r, h, w)
    y0 = -r.get("pad_beg", 0)
    out = []
    for p in range(count):
        def src(i, j):
            return data[p * h * w + (y0 + i) * w + (y0 + j)]
        for i2 in range(h2):
            for j2 in range(w2):
                if h1 == h2 and w1 == w2:
                    out.append(src(i2, j2))
                    continue
                rh = (h1 - 1) / (h2 - 1) if h2 > 1 else 0.0
                rw = (w1 - 1) / (w2 - 1) if w2 > 1 else 0.0
                hr, wr = rh * i2, rw * j2
                i1, j1 = int(hr), int(wr)
                ip = 1 if i1 < h1 - 1 else 0
                jp = 1 if j1 < w1 - 1 else 0
                hl, wl = hr - i1, wr - j1
                out.append((1 - hl) * ((1 - wl) * src(i1, j1) + wl * src(i1, j1 + jp))
                           + hl * ((1 - wl) * src(i1 + ip, j1) + wl * src(i1 + ip, j1 + jp)))
    return [([shape[0], shape[1], h2, w2], out)]


def ref_max_pool(r, x):
    """MAX pooling with its mask (caffe-segnet pooling_layer.cpp:93-107 sizes, :155-176 loop):
    ceil sizes, a last window starting in the padding dropped, windows clipped to the input,
    the first strict maximum in row-major order kept, its place h * W + w as the mask."""
    shape, data = x
    count, h, w = planes(shape)
    if r.get("global"):
        kh, kw, sh, sw, ph, pw = h, w, 1, 1, 0, 0
    else:
        kh = kw = r["kernel"]
        sh = sw = r.get("stride", 1)
        ph = pw = r.get("pad", 0)
    def size(n, k, s, pad):
        out = int(math.ceil((n + 2 * pad - k) / s)) + 1
        if pad and (out - 1) * s >= n + pad:
            out -= 1
        return out
    oh, ow = size(h, kh, sh, ph), size(w, kw, sw, pw)
    values, mask = [], []
    for p in range(count):
        for i in range(oh):
            for j in range(ow):
                hs, ws = i * sh - ph, j * sw - pw
                he, we = min(hs + kh, h), min(ws + kw, w)
                hs, ws = max(hs, 0), max(ws, 0)
                best, where = -float("inf"), -1
                for a in range(hs, he):
                    for b in range(ws, we):
                        v = data[p * h * w + a * w + b]
                        if v > best:
                            best, where = v, a * w + b
                values.append(best)
                mask.append(float(where))
    out_shape = [shape[0], shape[1], oh, ow]
    return [(out_shape, values), (out_shape, mask)]


def ref_unpool(r, values, mask):
    """caffe-segnet upsample_layer.cpp:66-69 size, :88-99 loop: zeros, then top[mask[i]] = x[i]
    in order (a place named twice keeps the last)."""
    shape, data = values
    count, h, w = planes(shape)
    if "upsample_h" in r:
        uh, uw = r["upsample_h"], r["upsample_w"]
    else:
        uh = h * r.get("scale", 2) - (1 if r.get("pad_out_h") else 0)
        uw = w * r.get("scale", 2) - (1 if r.get("pad_out_w") else 0)
    out = [0.0] * (count * uh * uw)
    for p in range(count):
        for i in range(h * w):
            out[p * uh * uw + int(mask[1][p * h * w + i])] = data[p * h * w + i]
    return [([shape[0], shape[1], uh, uw], out)]


def ref_shuffle(r, x):
    """farmingyard/ShuffleNet shuffle_channel_layer.cpp:18-29: channel i*k + j -> j*g + i."""
    shape, data = x
    n, c = shape[0], shape[1]
    g = r["group"]
    k = c // g
    s = len(data) // (n * c)
    out = [0.0] * len(data)
    for b in range(n):
        for i in range(g):
            for j in range(k):
                src, dst = (b * c + i * k + j) * s, (b * c + j * g + i) * s
                out[dst:dst + s] = data[src:src + s]
    return [(shape, out)]


def ref_axpy(r, a, x, y):
    """hujie-frank/SENet axpy_layer.cpp:31-48: top = y, then top += a[n, c] * x per plane."""
    shape, xs = x
    n, c = shape[0], shape[1]
    s = len(xs) // (n * c)
    out = list(y[1])
    for p in range(n * c):
        for i in range(s):
            out[p * s + i] += a[1][p] * xs[p * s + i]
    return [(shape, out)]


def ref_relu6(r, x):
    """rog93/Caffe-MobileNetV2-ReLU6 relu6_layer.cpp:15-18."""
    ns = r.get("negative_slope", 0.0)
    return [(x[0], [min(max(v, 0.0) + ns * min(v, 0.0), 6.0) for v in x[1]])]


def ref_conv(r, x, blobs):
    """A grouped convolution, loop by loop: conv_dw_layer.cpp:144-205 for ConvolutionDepthwise
    (group = channels, num_output unread), BaseConvolutionLayer for DepthwiseConvolution."""
    shape, data = x
    n, c, h, w = shape
    kh, kw = r["kernel"]
    sh, sw = r.get("stride", [1, 1])
    ph, pw = r.get("pad", [0, 0])
    dh, dw = r.get("dilation", [1, 1])
    out_c = c if r["depthwise"] else r["num_output"]
    group = c if r["depthwise"] else r["group"]
    cin, cout = c // group, out_c // group
    oh = (h + 2 * ph - (dh * (kh - 1) + 1)) // sh + 1
    ow = (w + 2 * pw - (dw * (kw - 1) + 1)) // sw + 1
    weight = blobs[0]["data"]
    bias = blobs[1]["data"] if len(blobs) > 1 else None
    out = []
    for b in range(n):
        for o in range(out_c):
            g = o // cout
            for i in range(oh):
                for j in range(ow):
                    acc = 0.0
                    for ci in range(cin):
                        for a in range(kh):
                            for e in range(kw):
                                hi, wi = i * sh - ph + a * dh, j * sw - pw + e * dw
                                if 0 <= hi < h and 0 <= wi < w:
                                    acc += weight[((o * cin + ci) * kh + a) * kw + e] * data[((b * c + g * cin + ci) * h + hi) * w + wi]
                    out.append(acc + (bias[o] if bias else 0.0))
    return [([n, out_c, oh, ow], out)]


def channel_stats(shape, data, squares):
    """Per channel: mean, and the variance as E[(x - mean)^2] or, with squares, E[x^2] - E[x]^2."""
    n, c = shape[0], shape[1]
    s = len(data) // (n * c)
    means, variances = [], []
    for ch in range(c):
        values = [data[(b * c + ch) * s + i] for b in range(n) for i in range(s)]
        m = sum(values) / len(values)
        if squares:
            variances.append(sum(v * v for v in values) / len(values) - m * m)
        else:
            variances.append(sum((v - m) ** 2 for v in values) / len(values))
        means.append(m)
    return means, variances


def affine(shape, data, mean, var, eps, scale, shift):
    n, c = shape[0], shape[1]
    s = len(data) // (n * c)
    out = []
    for b in range(n):
        for ch in range(c):
            for i in range(s):
                v = data[(b * c + ch) * s + i]
                out.append((v - mean[ch]) / math.sqrt(var[ch] + eps) * scale[ch] + shift[ch])
    return [(shape, out)]


def ref_bn(r, x, blobs):
    """The forks' BatchNorm forwards:
    pspnet  hszhao/PSPNet bn_layer.cpp:95-200: blobs [slope, bias, mean, var]; stored statistics
            when frozen or TEST, else the batch's mean and E[(x - mean)^2];
    segnet  caffe-segnet bn_layer.cpp:83-226: blobs [scale, shift]; LEARN normalises with the
            batch's mean and E[x^2] - E[x]^2 plus 1e-9, INFERENCE is scale * x + shift;
    nvcaffe NVIDIA/caffe batch_norm_layer.cpp Forward_cpu: blobs [mean, var, correction, scale,
            bias]; TEST stored statistics, TRAIN the batch's; eps raised to at least 1e-5."""
    shape, data = x
    c = shape[1]
    fork, phase = r["fork"], r["phase"]
    b = [blob["data"] for blob in blobs]
    if fork == "pspnet":
        if r.get("frozen") or phase == "TEST":
            mean, var = b[2], b[3]
        else:
            mean, var = channel_stats(shape, data, False)
        return affine(shape, data, mean, var, r.get("eps", 1e-5), b[0], b[1])
    if fork == "segnet":
        if r["mode"] == "INFERENCE":
            return affine(shape, data, [0.0] * c, [1.0] * c, 0.0, b[0], b[1])
        mean, var = channel_stats(shape, data, True)
        return affine(shape, data, mean, var, 1e-9, b[0], b[1])
    eps = max(r.get("eps", 1e-5), 1e-5)
    mean, var = (b[0], b[1]) if phase == "TEST" else channel_stats(shape, data, False)
    return affine(shape, data, mean, var, eps, b[3], b[4])


# ---- running ------------------------------------------------------------------------------

def load(path):
    spec = importlib.util.spec_from_file_location("model_" + str(abs(hash(path))), path + "/model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    spec = json.load(open(sys.argv[1]))
    inputs = {k: (v["shape"], v["data"]) for k, v in spec["inputs"].items()}
    tops = {}
    for phase, folder in spec["models"].items():
        module = load(folder)
        net = module.build()
        args = [torch.tensor(inputs[b][1], dtype=torch.float32).reshape(inputs[b][0]) for b in module.INPUTS]
        with torch.no_grad():
            tops[phase] = net.forward_layers(*args)
    report = {}
    for case in spec["cases"]:
        r, layer = case["ref"], case["layer"]
        got = tops[case["phase"]][layer]
        value = lambda name: inputs[name]
        kind = r["kind"]
        blobs = spec["blobs"].get(layer, [])
        if kind == "interp":
            expected = ref_interp(r, value(case["bottoms"][0]))
        elif kind == "max_pool":
            expected = ref_max_pool(r, value(case["bottoms"][0]))
        elif kind == "unpool":
            pooled = ref_max_pool(r["pool"], value(r["pool_input"]))
            values = pooled[0] if r["values"] == "pooled" else value(r["values"])
            expected = ref_unpool(r, values, pooled[1])
        elif kind == "shuffle":
            expected = ref_shuffle(r, value(case["bottoms"][0]))
        elif kind == "axpy":
            expected = ref_axpy(r, *[value(b) for b in case["bottoms"]])
        elif kind == "relu6":
            expected = ref_relu6(r, value(case["bottoms"][0]))
        elif kind == "conv":
            expected = ref_conv(r, value(case["bottoms"][0]), blobs)
        elif kind == "bn":
            expected = ref_bn(dict(r, phase=case["phase"]), value(case["bottoms"][0]), blobs)
        else:
            raise ValueError(kind)
        entry = []
        for tensor, (shape, data) in zip(got, expected):
            actual = tensor.double().reshape(-1).tolist()
            error = max((abs(a - e) for a, e in zip(actual, data)), default=0.0) if list(tensor.shape) == shape else None
            scale = max((abs(e) for e in data), default=0.0)
            item = {"shape": list(tensor.shape), "expected_shape": shape, "max_abs_error": error, "max_abs_expected": scale}
            if len(actual) <= 16:
                item["values"] = actual
            entry.append(item)
        report[case["phase"] + ":" + layer] = entry
    print(json.dumps({"torch": torch.__version__, "cases": report}))


if __name__ == "__main__":
    main()
