"""The forks' forward loops written out in plain Python, one function per layer citing its source,
for check_fork_layers.py to compare exported models with. Values are doubles, rounded to float32
(f32) wherever the fork stores a float.
"""
import math
import struct

def f32(v):
    """The float32 nearest to v, as a C++ float variable holds it."""
    return struct.unpack("f", struct.pack("f", v))[0]


def c_round(v):
    """C's round(): half away from zero."""
    return math.floor(v + 0.5) if v >= 0 else -math.floor(-v + 0.5)


def flat(t):
    return t.reshape(-1).tolist()


def prod(dims):
    p = 1
    for d in dims:
        p *= d
    return p


# --- SSD (weiliu89/caffe, branch ssd) ----------------------------------------------------------

def ref_permute(x, p):
    """Permute() of permute_layer.cpp:9-26 with the steps of its Reshape (:75-95)."""
    shape, order = list(x.shape), p["order"]
    top_shape = [shape[o] for o in order]
    old_steps = [prod(shape[i + 1:]) for i in range(len(shape))]
    new_steps = [prod(top_shape[i + 1:]) for i in range(len(shape))]
    data, top = flat(x), []
    for i in range(prod(shape)):
        old_idx, idx = 0, i
        for j in range(len(shape)):
            old_idx += (idx // new_steps[j]) * old_steps[order[j]]
            idx %= new_steps[j]
        top.append(data[old_idx])
    return top, top_shape


def ref_prior_box(feature, image, p):
    """PriorBoxLayer::LayerSetUp and Forward_cpu (prior_box_layer.cpp:11-100, 120-219)."""
    layer_h, layer_w = feature.shape[2], feature.shape[3]
    ratios = [1.0]
    for r in p.get("aspect_ratio", []):
        ar = f32(r)
        if any(abs(f32(ar - e)) < 1e-6 for e in ratios):
            continue
        ratios.append(ar)
        if p.get("flip", True):
            ratios.append(f32(1.0 / ar))
    min_sizes, max_sizes = p["min_size"], p.get("max_size", [])
    num_priors = len(ratios) * len(min_sizes) + len(max_sizes)
    img_h, img_w = p["img_size"] if "img_size" in p else (image.shape[2], image.shape[3])
    if "step" in p:
        step_h, step_w = f32(p["step"][0]), f32(p["step"][1])
    else:
        step_w, step_h = f32(img_w / layer_w), f32(img_h / layer_h)
    offset = f32(p.get("offset", 0.5))
    top = []
    for h in range(layer_h):
        for w in range(layer_w):
            cx = f32(f32(w + offset) * step_w)
            cy = f32(f32(h + offset) * step_h)
            boxes = []
            for s, size in enumerate(min_sizes):
                m = int(f32(size))  # int min_size_ = min_sizes_[s]
                boxes.append((float(m), float(m)))
                if max_sizes:
                    side = f32(math.sqrt(m * int(f32(max_sizes[s]))))
                    boxes.append((side, side))
                for ar in ratios:
                    if abs(ar - 1.0) < 1e-6:
                        continue
                    root = f32(math.sqrt(ar))
                    boxes.append((f32(m * root), f32(m / root)))
            for bw, bh in boxes:
                top += [f32((cx - bw / 2.0) / img_w), f32((cy - bh / 2.0) / img_h),
                        f32((cx + bw / 2.0) / img_w), f32((cy + bh / 2.0) / img_h)]
    if p.get("clip", False):
        top = [min(max(v, 0.0), 1.0) for v in top]
    variance = p.get("variance", [0.1])
    top += [f32(variance[i % 4] if len(variance) == 4 else variance[0]) for i in range(len(top))]
    return top, [1, 2, layer_h * layer_w * num_priors * 4]


def ref_decode(prior, var, loc, code, encoded):
    """DecodeBBox (bbox_util.cpp:441-529), float by float."""
    v = [1.0, 1.0, 1.0, 1.0] if encoded else var
    if code == "CORNER":
        return [f32(prior[k] + f32(v[k] * loc[k])) for k in range(4)]
    pw, ph = f32(prior[2] - prior[0]), f32(prior[3] - prior[1])
    if code == "CORNER_SIZE":
        size = [pw, ph, pw, ph]
        return [f32(prior[k] + f32(f32(v[k] * loc[k]) * size[k])) for k in range(4)]
    cx, cy = f32(f32(prior[0] + prior[2]) / 2.0), f32(f32(prior[1] + prior[3]) / 2.0)
    x = f32(f32(f32(v[0] * loc[0]) * pw) + cx)
    y = f32(f32(f32(v[1] * loc[1]) * ph) + cy)
    w = f32(f32(math.exp(f32(v[2] * loc[2]))) * pw)
    h = f32(f32(math.exp(f32(v[3] * loc[3]))) * ph)
    return [f32(x - w / 2.0), f32(y - h / 2.0), f32(x + w / 2.0), f32(y + h / 2.0)]


def ref_size(b):
    """BBoxSize (bbox_util.cpp:82-100)."""
    if b[2] < b[0] or b[3] < b[1]:
        return 0.0
    return f32(f32(b[2] - b[0]) * f32(b[3] - b[1]))


def ref_overlap(a, b):
    """JaccardOverlap (bbox_util.cpp:274-294) with IntersectBBox (:65-80)."""
    if b[0] > a[2] or b[2] < a[0] or b[1] > a[3] or b[3] < a[1]:
        return 0.0
    iw = f32(min(a[2], b[2]) - max(a[0], b[0]))
    ih = f32(min(a[3], b[3]) - max(a[1], b[1]))
    if iw > 0 and ih > 0:
        inter = f32(iw * ih)
        return f32(inter / f32(f32(ref_size(a) + ref_size(b)) - inter))
    return 0.0


def ref_nms(boxes, scores, score_threshold, nms_threshold, eta, top_k):
    """ApplyNMSFast (bbox_util.cpp:1901-1936) with GetMaxScoreIndex (:1743-1760)."""
    pairs = [(s, i) for i, s in enumerate(scores) if s > score_threshold]
    pairs.sort(key=lambda si: -si[0])  # Python's sort is stable, as std::stable_sort
    if top_k > -1:
        pairs = pairs[:top_k]
    kept, threshold = [], f32(nms_threshold)
    for _, idx in pairs:
        keep = all(ref_overlap(boxes[idx], boxes[k]) <= threshold for k in kept)
        if keep:
            kept.append(idx)
            if eta < 1 and threshold > 0.5:
                threshold = f32(threshold * f32(eta))
    return kept


def ref_detection_output(loc, conf, prior, p):
    """DetectionOutputLayer::Forward_cpu (detection_output_layer.cpp:180-295)."""
    num, num_classes = loc.shape[0], p["num_classes"]
    share = p.get("share_location", True)
    loc_classes = 1 if share else num_classes
    num_priors = prior.shape[2] // 4
    pr = flat(prior)
    priors = [pr[i * 4:i * 4 + 4] for i in range(num_priors)]
    variances = [pr[(num_priors + i) * 4:(num_priors + i) * 4 + 4] for i in range(num_priors)]
    bg = p.get("background_label_id", 0)
    threshold = f32(p["confidence_threshold"]) if "confidence_threshold" in p else -3.4028234663852886e38
    rows = []
    for i in range(num):
        l, c = flat(loc[i]), flat(conf[i])
        decoded = {}
        for lc in range(loc_classes):
            label = -1 if share else lc
            if label == bg:
                continue
            decoded[label] = [ref_decode(priors[q], variances[q], l[(q * loc_classes + lc) * 4:(q * loc_classes + lc) * 4 + 4],
                                         p.get("code_type", "CORNER"), p.get("variance_encoded_in_target", False))
                              for q in range(num_priors)]
        indices = {}
        for cls in range(num_classes):
            if cls == bg:
                continue
            scores = [c[q * num_classes + cls] for q in range(num_priors)]
            indices[cls] = ref_nms(decoded[-1 if share else cls], scores, threshold, p.get("nms_threshold", 0.3),
                                   p.get("eta", 1.0), p.get("top_k", -1))
        keep_top_k = p.get("keep_top_k", -1)
        if keep_top_k > -1 and sum(len(v) for v in indices.values()) > keep_top_k:
            pairs = [(c[q * num_classes + cls], cls, q) for cls in sorted(indices) for q in indices[cls]]
            pairs.sort(key=lambda t: -t[0])
            indices = {}
            for _, cls, q in pairs[:keep_top_k]:
                indices.setdefault(cls, []).append(q)
        for cls in sorted(indices):
            for q in indices[cls]:
                rows.append([float(i), float(cls), c[q * num_classes + cls]] + decoded[-1 if share else cls][q])
    if not rows:
        rows = [[float(i), -1.0, -1.0, -1.0, -1.0, -1.0, -1.0] for i in range(num)]
    return [v for r in rows for v in r], [1, 1, len(rows), 7]


def ref_normalize(x, scale, p):
    """NormalizeLayer::Forward_cpu (normalize_layer.cpp:85-133), in double."""
    n, ch = x.shape[0], x.shape[1]
    spatial = prod(x.shape[2:])
    data, top, eps = flat(x), [], p.get("eps", 1e-10)
    dim = ch * spatial
    for i in range(n):
        item = data[i * dim:(i + 1) * dim]
        if p.get("across_spatial", True):
            norm = math.sqrt(sum(v * v for v in item) + eps)
            out = [v * (1.0 / norm) for v in item]
        else:
            norms = [math.sqrt(eps + sum(item[c * spatial + s] ** 2 for c in range(ch))) for s in range(spatial)]
            out = [item[k] / norms[k % spatial] for k in range(dim)]
        top += [v * (scale[0] if p.get("channel_shared", True) else scale[k // spatial]) for k, v in enumerate(out)]
    return top, list(x.shape)


# --- Faster R-CNN (rbgirshick/caffe-fast-rcnn) and R-FCN (daijifeng001/caffe-rfcn) -------------

def ref_roi_pool(x, rois, p):
    """ROIPoolingLayer::Forward_cpu (roi_pooling_layer.cpp:53-117)."""
    _, ch, height, width = x.shape
    ph_n, pw_n, scale = p["pooled_h"], p["pooled_w"], f32(p.get("spatial_scale", 1.0))
    r = rois.reshape(-1, 5).tolist()
    top = []
    for roi in r:
        b = int(roi[0])
        sw, sh, ew, eh = (c_round(f32(roi[k] * scale)) for k in (1, 2, 3, 4))
        roi_h, roi_w = max(eh - sh + 1, 1), max(ew - sw + 1, 1)
        bin_h, bin_w = f32(roi_h / ph_n), f32(roi_w / pw_n)
        for c in range(ch):
            plane = x[b, c].tolist()
            for ph in range(ph_n):
                for pw in range(pw_n):
                    hs = min(max(math.floor(f32(ph * bin_h)) + sh, 0), height)
                    he = min(max(math.ceil(f32((ph + 1) * bin_h)) + sh, 0), height)
                    ws = min(max(math.floor(f32(pw * bin_w)) + sw, 0), width)
                    we = min(max(math.ceil(f32((pw + 1) * bin_w)) + sw, 0), width)
                    if he <= hs or we <= ws:
                        top.append(0.0)
                        continue
                    best = -3.4028234663852886e38
                    for h in range(hs, he):
                        for w in range(ws, we):
                            if plane[h][w] > best:
                                best = plane[h][w]
                    top.append(best)
    return top, [len(r), ch, ph_n, pw_n]


def ref_psroi_pool(x, rois, p):
    """PSROIPoolingForward (psroi_pooling_layer.cu:19-85 / .cpp Forward_cpu), one output at a time."""
    _, ch, height, width = x.shape
    dim, g, scale = p["output_dim"], p["group_size"], f32(p["spatial_scale"])
    r = rois.reshape(-1, 5).tolist()
    top = []
    for roi in r:
        b = int(roi[0])
        sw, sh = f32(c_round(roi[1]) * scale), f32(c_round(roi[2]) * scale)
        ew, eh = f32(f32(c_round(roi[3]) + 1.0) * scale), f32(f32(c_round(roi[4]) + 1.0) * scale)
        roi_w, roi_h = max(f32(ew - sw), f32(0.1)), max(f32(eh - sh), f32(0.1))
        bin_h, bin_w = f32(roi_h / g), f32(roi_w / g)
        for ctop in range(dim):
            for ph in range(g):
                for pw in range(g):
                    hs = min(max(math.floor(f32(f32(ph * bin_h) + sh)), 0), height)
                    ws = min(max(math.floor(f32(f32(pw * bin_w) + sw)), 0), width)
                    he = min(max(math.ceil(f32(f32((ph + 1) * bin_h) + sh)), 0), height)
                    we = min(max(math.ceil(f32(f32((pw + 1) * bin_w) + sw)), 0), width)
                    c = (ctop * g + ph) * g + pw
                    if he <= hs or we <= ws:
                        top.append(0.0)
                        continue
                    plane = x[b, c]
                    total = sum(plane[h][w].item() for h in range(hs, he) for w in range(ws, we))
                    top.append(total / ((he - hs) * (we - ws)))
    return top, [len(r), dim, g, g]


# --- caffe_ocr (senlinuc/caffe_ocr) --------------------------------------------------------------

def ref_reverse(x, p):
    """ReverseLayer::Forward_cpu (reverse_layer.cpp:25-46): blocks copied in reverse order."""
    axis, shape, data = p["axis"], list(x.shape), flat(x)
    count = prod(shape)
    copy = 1 if axis + 1 == len(shape) else prod(shape[axis + 1:])
    num_fix = count // prod(shape[axis:]) if axis > 0 else 1
    n = shape[axis]
    top, src = [0.0] * count, 0
    for fix in range(num_fix):
        target = (fix + 1) * copy * n - copy
        for _ in range(n):
            top[target:target + copy] = data[src:src + copy]
            src += copy
            target -= copy
    return top, shape


def ref_transpose(x, p):
    """transpose_cpu (transpose_layer.cpp:5-21) with the counts of its Reshape (:32-77)."""
    dims, shape, data = p["dim"], list(x.shape), flat(x)
    top_shape = [shape[d] for d in dims]
    from_counts = [prod(shape[i + 1:]) for i in range(len(shape))]
    to_counts = [prod(top_shape[i + 1:]) for i in range(len(shape))]
    top = [0.0] * len(data)
    for index, value in enumerate(data):
        rest, inds = index, []
        for c in from_counts:
            inds.append(rest // c)
            rest %= c
        top[sum(inds[dims[i]] * to_counts[i] for i in range(len(shape)))] = value
    return top, top_shape


def ref_lstm(x, state, p):
    """LstmLayer::Forward_gpu (lstm_layer_Junhyuk.cu:124-184): gates i, f, o, g, zero start state."""
    steps, batch, size = x.shape
    attr = p["attr"]
    wi, wh, bias = state[attr + ".weight_i"].tolist(), state[attr + ".weight_h"].tolist(), state[attr + ".bias"].tolist()
    hidden = len(bias) // 4
    sig = lambda v: 1.0 / (1.0 + math.exp(-v))
    h = [[0.0] * hidden for _ in range(batch)]
    c = [[0.0] * hidden for _ in range(batch)]
    top = []
    for t in range(steps):
        new_h, new_c = [], []
        for n in range(batch):
            xin = x[t, n].tolist()
            pre = [sum(wi[k][j] * xin[j] for j in range(size)) + bias[k]
                   + (sum(wh[k][j] * h[n][j] for j in range(hidden)) if t > 0 else 0.0) for k in range(4 * hidden)]
            hn, cn = [], []
            for d in range(hidden):
                i_g, f_g, o_g, g_g = sig(pre[d]), sig(pre[hidden + d]), sig(pre[2 * hidden + d]), math.tanh(pre[3 * hidden + d])
                cd = (f_g * c[n][d] if t > 0 else 0.0) + i_g * g_g
                cn.append(cd)
                hn.append(o_g * math.tanh(cd))
            new_h.append(hn)
            new_c.append(cn)
            top += hn
        h, c = new_h, new_c
    return top, [steps, batch, hidden]


def ref_ctc_decode(x, labels, p):
    """CTCGreedyDecoderLayer::Decode and CTCDecoderLayer::Forward_cpu (ctc_decoder_layer.cpp:101-240, 335-376)."""
    steps, batch, classes = x.shape
    blank = p.get("blank_index", 0)
    blank = classes - 1 if blank < 0 else blank
    merge = p.get("ctc_merge_repeated", True)
    sequences = []
    for n in range(batch):
        seq, prev = [], -1
        for t in range(steps):
            probs = x[t, n].tolist()
            best, best_v = 0, probs[0]
            for k in range(1, classes):
                if probs[k] > best_v:
                    best, best_v = k, probs[k]
            if best != blank and not (merge and best == prev):
                seq.append(best)
            prev = best
        sequences.append(seq)
    if labels is None:
        top = []
        for seq in sequences:
            top += [float(k) for k in seq] + [-1.0] * (steps - len(seq))
        return top, [batch, steps, 1, 1]
    lab = labels.reshape(batch, -1).tolist()
    acc_edit, ok = 0.0, 0
    for n in range(batch):
        target = []
        for v in lab[n]:
            if v < 0:
                break
            k = int(0.5 + v)
            if k != blank:
                target.append(k)
        longer = max(len(target), len(sequences[n]))
        if longer == 0:
            continue
        d = levenshtein(target, sequences[n])
        acc_edit += d / longer
        ok += d == 0
    return [1 - acc_edit / batch, ok / batch], [1, 2, 1, 1]


def levenshtein(a, b):
    """CTCDecoderLayer::EditDistance (ctc_decoder_layer.cpp:254-276), the full table."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        d[i][0] = i
    for j in range(1, len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
    return d[len(a)][len(b)]


REFERENCES = {
    "permute": lambda b, s, p: ref_permute(b[0], p),
    "prior_box": lambda b, s, p: ref_prior_box(b[0], b[1] if len(b) > 1 else None, p),
    "detection_output": lambda b, s, p: ref_detection_output(b[0], b[1], b[2], p),
    "normalize": lambda b, s, p: ref_normalize(b[0], s[p["attr"] + ".weight"].reshape(-1).tolist(), p),
    "roi_pool": lambda b, s, p: ref_roi_pool(b[0], b[1], p),
    "psroi_pool": lambda b, s, p: ref_psroi_pool(b[0], b[1], p),
    "reverse": lambda b, s, p: ref_reverse(b[0], p),
    "transpose": lambda b, s, p: ref_transpose(b[0], p),
    "lstm": lambda b, s, p: ref_lstm(b[0], s, p),
    "ctc_decode": lambda b, s, p: ref_ctc_decode(b[0], b[1] if len(b) > 1 else None, p),
}
