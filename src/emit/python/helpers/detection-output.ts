/**
 * `DetectionOutput`: the SSD fork's DetectionOutput layer, DetectionOutputLayer::Forward_cpu
 * (weiliu89/caffe ssd, src/caffe/layers/detection_output_layer.cpp:180-295) with DecodeBBox
 * (src/caffe/util/bbox_util.cpp:441-529; boxes not clipped), per-class ApplyNMSFast
 * (`caffe_nms`), keep_top_k over all classes, and its output: rows (image, label, score, xmin,
 * ymin, xmax, ymax) by image, then label, then the order NMS kept them; [1, 1, N, 7] rows of -1
 * with the image index when nothing is detected.
 */
export const DETECTION_OUTPUT_SOURCE = `class DetectionOutput(nn.Module):
    """SSD Caffe's DetectionOutput layer (detection_output_layer.cpp:180-295).

    loc: [N, num_priors * num_loc_classes * 4], conf: [N, num_priors *
    num_classes] (probabilities), priors: [1, 2, num_priors * 4] (PriorBox).
    Returns [1, 1, D, 7]: (image, label, score, xmin, ymin, xmax, ymax).
    """

    def __init__(self, num_classes, share_location=True, background_label_id=0,
                 code_type="CORNER", variance_encoded_in_target=False, keep_top_k=-1,
                 confidence_threshold=None, nms_threshold=0.3, eta=1.0, top_k=-1):
        super().__init__()
        self.num_classes = num_classes
        self.share_location = share_location
        self.background_label_id = background_label_id
        self.code_type = code_type
        self.variance_encoded_in_target = variance_encoded_in_target
        self.keep_top_k = keep_top_k
        # No confidence_threshold: Caffe's -FLT_MAX, every score passes.
        self.confidence_threshold = -3.4028234663852886e38 if confidence_threshold is None else confidence_threshold
        self.nms_threshold = nms_threshold
        self.eta = eta
        self.top_k = top_k

    def decode(self, loc, priors, variances):
        """DecodeBBox (bbox_util.cpp:441-529) of loc [P, L, 4] against priors [P, 4]."""
        p = priors[:, None, :]
        v = torch.ones_like(variances) if self.variance_encoded_in_target else variances
        v = v[:, None, :]
        if self.code_type == "CORNER":
            return p + v * loc
        pw = p[..., 2] - p[..., 0]
        ph = p[..., 3] - p[..., 1]
        if self.code_type == "CORNER_SIZE":
            return p + v * loc * torch.stack([pw, ph, pw, ph], -1)
        cx = (p[..., 0] + p[..., 2]) / 2
        cy = (p[..., 1] + p[..., 3]) / 2
        x = v[..., 0] * loc[..., 0] * pw + cx
        y = v[..., 1] * loc[..., 1] * ph + cy
        w = torch.exp(v[..., 2] * loc[..., 2]) * pw
        h = torch.exp(v[..., 3] * loc[..., 3]) * ph
        return torch.stack([x - w / 2, y - h / 2, x + w / 2, y + h / 2], -1)

    def forward(self, loc, conf, prior):
        num = loc.shape[0]
        num_priors = prior.shape[2] // 4
        loc_classes = 1 if self.share_location else self.num_classes
        loc = loc.reshape(num, num_priors, loc_classes, 4)
        conf = conf.reshape(num, num_priors, self.num_classes)
        prior = prior.reshape(2, num_priors, 4)
        rows = []
        for i in range(num):
            boxes = self.decode(loc[i], prior[0], prior[1])
            kept = {}
            for c in range(self.num_classes):
                if c == self.background_label_id:
                    continue
                kept[c] = caffe_nms(boxes[:, 0 if self.share_location else c], conf[i, :, c],
                                    self.confidence_threshold, self.nms_threshold, self.eta, self.top_k)
            count = sum(k.numel() for k in kept.values())
            if self.keep_top_k > -1 and count > self.keep_top_k:
                # Forward_cpu sorts (score, (label, index)) descending over all classes and keeps
                # keep_top_k; equal scores stay in label, then NMS order here.
                labels = torch.cat([torch.full_like(k, c) for c, k in kept.items()])
                indices = torch.cat(list(kept.values()))
                scores = conf[i, indices, labels]
                best = torch.sort(scores, descending=True, stable=True).indices[:self.keep_top_k]
                kept = {c: indices[best][labels[best] == c] for c in kept}
            for c in sorted(kept):
                k = kept[c]
                if k.numel() == 0:
                    continue
                row = torch.cat([
                    torch.full((k.numel(), 1), float(i), dtype=loc.dtype, device=loc.device),
                    torch.full((k.numel(), 1), float(c), dtype=loc.dtype, device=loc.device),
                    conf[i, k, c][:, None],
                    boxes[k, 0 if self.share_location else c]], 1)
                rows.append(row)
        if not rows:
            # No detection: one row per image, (i, -1, -1, -1, -1, -1, -1).
            out = torch.full((num, 7), -1.0, dtype=loc.dtype, device=loc.device)
            out[:, 0] = torch.arange(num, dtype=loc.dtype, device=loc.device)
            return out.reshape(1, 1, num, 7)
        return torch.cat(rows).reshape(1, 1, -1, 7)`;
