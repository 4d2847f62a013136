/**
 * `caffe_nms`: ApplyNMSFast of the SSD fork (weiliu89/caffe ssd, src/caffe/util/bbox_util.cpp:1743-1760,
 * 1901-1936, with JaccardOverlap :274-294 and BBoxSize :82-100): boxes scoring above the threshold in
 * descending order (std::stable_sort: equal scores keep index order), the first top_k, then greedy
 * suppression of a box whose overlap with a kept one exceeds the (adaptive, eta) threshold.
 * torchvision.ops.nms computes the same overlaps; it is used when importable and eta is 1, with
 * the candidates given their rank as score so that its own sort keeps Caffe's order.
 */
export const CAFFE_NMS_SOURCE = `def _caffe_box_overlaps(a, b):
    """JaccardOverlap of SSD Caffe (bbox_util.cpp:274-294) between each box of a and each of b."""
    ix1 = torch.maximum(a[:, None, 0], b[None, :, 0])
    iy1 = torch.maximum(a[:, None, 1], b[None, :, 1])
    ix2 = torch.minimum(a[:, None, 2], b[None, :, 2])
    iy2 = torch.minimum(a[:, None, 3], b[None, :, 3])
    iw, ih = ix2 - ix1, iy2 - iy1
    inter = iw * ih
    # BBoxSize: 0 for a box with xmax < xmin or ymax < ymin.
    def size(x):
        w, h = x[:, 2] - x[:, 0], x[:, 3] - x[:, 1]
        return torch.where((w < 0) | (h < 0), torch.zeros_like(w), w * h)
    union = size(a)[:, None] + size(b)[None, :] - inter
    overlap = inter / union
    return torch.where((iw > 0) & (ih > 0), overlap, torch.zeros_like(overlap))


def caffe_nms(boxes, scores, score_threshold, nms_threshold, eta=1.0, top_k=-1):
    """Indices kept by SSD Caffe's ApplyNMSFast, in its order (bbox_util.cpp:1901-1936).

    boxes [K, 4] (xmin, ymin, xmax, ymax), scores [K]; thresholds are float32
    as in Caffe; top_k -1 keeps every candidate.
    """
    f32 = lambda v: torch.tensor(v, dtype=torch.float32)
    candidates = torch.nonzero(scores > f32(score_threshold)).flatten()
    order = torch.sort(scores[candidates], descending=True, stable=True).indices
    candidates = candidates[order]
    if top_k > -1:
        candidates = candidates[:top_k]
    if candidates.numel() == 0:
        return candidates
    threshold = f32(nms_threshold)
    if eta == 1.0 and _torchvision_ops() is not None:
        rank = torch.arange(candidates.numel(), 0, -1, dtype=torch.float32, device=boxes.device)
        keep = _torchvision_ops().nms(boxes[candidates], rank, float(threshold))
        return candidates[keep]
    overlaps = _caffe_box_overlaps(boxes[candidates], boxes[candidates])
    kept = []
    for j in range(candidates.numel()):
        if not kept or bool((overlaps[j, kept] <= threshold).all()):
            kept.append(j)
            if eta < 1.0 and float(threshold) > 0.5:
                threshold = threshold * f32(eta)
    return candidates[torch.tensor(kept, dtype=torch.long, device=candidates.device)]`;

/** `_torchvision_ops`: torchvision.ops when it can be imported (it is optional), else None. */
export const TORCHVISION_OPS_SOURCE = `_TORCHVISION_OPS = []


def _torchvision_ops():
    """torchvision.ops if it can be imported (optional: the helpers have their own fallbacks)."""
    if not _TORCHVISION_OPS:
        try:
            import torchvision.ops
            _TORCHVISION_OPS.append(torchvision.ops)
        except Exception:
            _TORCHVISION_OPS.append(None)
    return _TORCHVISION_OPS[0]`;
