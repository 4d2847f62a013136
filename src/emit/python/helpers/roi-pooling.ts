/**
 * `ROIPooling`: Fast/Faster R-CNN Caffe's ROIPooling layer, ROIPoolingLayer::Forward_cpu
 * (rbgirshick/caffe-fast-rcnn, branch faster-rcnn, src/caffe/layers/roi_pooling_layer.cpp:53-117):
 * ROI corners scaled by spatial_scale in float32 and rounded half away from zero, the ROI at least
 * 1×1, bin bounds floor(i·bin)/ceil((i+1)·bin) offset and clipped to the map, the max of each bin,
 * 0 for an empty bin. torchvision.ops.roi_pool implements the same rounding and bounds; it is used
 * when importable.
 */
export const ROI_POOLING_SOURCE = `def _roi_bins(start, length, pooled):
    """[start, end) of each of \`pooled\` bins over \`length\` cells from \`start\` (per ROI), in float32."""
    size = length.float() / pooled
    i = torch.arange(pooled, dtype=torch.float32, device=start.device)
    lo = torch.floor(i[None, :] * size[:, None]).long() + start[:, None]
    hi = torch.ceil((i[None, :] + 1) * size[:, None]).long() + start[:, None]
    return lo, hi


class ROIPooling(nn.Module):
    """Faster R-CNN Caffe's ROIPooling layer (roi_pooling_layer.cpp:53-117).

    rois: [R, 5] (batch index, x1, y1, x2, y2) in image coordinates.
    Returns [R, C, pooled_h, pooled_w]: the max of each bin, 0 for an empty bin.
    """

    def __init__(self, pooled_h, pooled_w, spatial_scale=1.0):
        super().__init__()
        self.pooled_h = pooled_h
        self.pooled_w = pooled_w
        self.spatial_scale = spatial_scale

    def forward(self, x, rois):
        rois = rois.reshape(-1, 5)
        ops = _torchvision_ops()
        if ops is not None:
            return ops.roi_pool(x, rois.to(x.dtype), (self.pooled_h, self.pooled_w), self.spatial_scale)
        height, width = x.shape[2], x.shape[3]
        batch = rois[:, 0].long()
        corners = _caffe_round(rois[:, 1:5].float() * torch.tensor(self.spatial_scale, dtype=torch.float32))
        x1, y1, x2, y2 = corners.unbind(1)
        hs, he = _roi_bins(y1, (y2 - y1 + 1).clamp(min=1), self.pooled_h)
        ws, we = _roi_bins(x1, (x2 - x1 + 1).clamp(min=1), self.pooled_w)
        hs, he = hs.clamp(0, height).tolist(), he.clamp(0, height).tolist()
        ws, we = ws.clamp(0, width).tolist(), we.clamp(0, width).tolist()
        out = x.new_zeros(rois.shape[0], x.shape[1], self.pooled_h, self.pooled_w)
        for r, b in enumerate(batch.tolist()):
            # The max over a bin: over its columns first, then its rows.
            columns = x.new_zeros(x.shape[1], height, self.pooled_w)
            for pw in range(self.pooled_w):
                if we[r][pw] > ws[r][pw]:
                    columns[:, :, pw] = x[b, :, :, ws[r][pw]:we[r][pw]].amax(2)
            for ph in range(self.pooled_h):
                if he[r][ph] > hs[r][ph]:
                    out[r, :, ph] = columns[:, hs[r][ph]:he[r][ph]].amax(1)
            for pw in range(self.pooled_w):
                if we[r][pw] <= ws[r][pw]:
                    out[r, :, :, pw] = 0
        return out

    def extra_repr(self):
        return "pooled_h={}, pooled_w={}, spatial_scale={}".format(
            self.pooled_h, self.pooled_w, self.spatial_scale)`;

/** `_caffe_round`: C's round() (half away from zero), as both ROI layers round coordinates. */
export const CAFFE_ROUND_SOURCE = `def _caffe_round(x):
    """C's round() on float32 values: half away from zero (torch.round rounds half to even)."""
    x = x.double()
    return torch.where(x >= 0, torch.floor(x + 0.5), torch.ceil(x - 0.5)).long()`;

/**
 * `PSROIPooling`: R-FCN's position-sensitive ROI pooling, PSROIPoolingForward (daijifeng001/caffe-rfcn,
 * the R-FCN authors' Caffe that py-R-FCN builds on, src/caffe/layers/psroi_pooling_layer.cu:19-85):
 * corners rounded in image coordinates before scaling, the far corner + 1, sizes at least 0.1,
 * float32 bin bounds floor/ceil clipped to the map, the mean over each bin of channel
 * (c·group + i)·group + j, 0 for an empty bin. torchvision's ps_roi_pool rounds differently
 * (after scaling, without + 1), so it is not used.
 */
export const PSROI_POOLING_SOURCE = `class PSROIPooling(nn.Module):
    """R-FCN Caffe's PSROIPooling layer (psroi_pooling_layer.cu:19-85).

    x: [N, output_dim * group_size^2, H, W]; rois: [R, 5] (batch index, x1, y1,
    x2, y2). Returns [R, output_dim, group_size, group_size]: bin (i, j) of
    output channel c averages input channel (c * group_size + i) * group_size + j.
    """

    def __init__(self, output_dim, group_size, spatial_scale):
        super().__init__()
        self.output_dim = output_dim
        self.group_size = group_size
        self.spatial_scale = spatial_scale

    def forward(self, x, rois):
        rois = rois.reshape(-1, 5)
        height, width = x.shape[2], x.shape[3]
        g = self.group_size
        f32 = lambda v: torch.tensor(v, dtype=torch.float32, device=x.device)
        scale = f32(self.spatial_scale)
        corners = _caffe_round(rois[:, 1:5].float()).float()
        x1, y1 = corners[:, 0] * scale, corners[:, 1] * scale
        x2, y2 = (corners[:, 2] + 1) * scale, (corners[:, 3] + 1) * scale
        bin_h = torch.maximum(y2 - y1, f32(0.1)) / g
        bin_w = torch.maximum(x2 - x1, f32(0.1)) / g
        i = torch.arange(g, dtype=torch.float32, device=x.device)
        hs = torch.floor(i[None, :] * bin_h[:, None] + y1[:, None]).long().clamp(0, height)
        he = torch.ceil((i[None, :] + 1) * bin_h[:, None] + y1[:, None]).long().clamp(0, height)
        ws = torch.floor(i[None, :] * bin_w[:, None] + x1[:, None]).long().clamp(0, width)
        we = torch.ceil((i[None, :] + 1) * bin_w[:, None] + x1[:, None]).long().clamp(0, width)
        # Bin sums from a summed-area table in float64 (Caffe adds the bin's values one by one).
        table = torch.nn.functional.pad(x.double().cumsum(2).cumsum(3), (1, 0, 1, 0))
        b = rois[:, 0].long()[:, None, None, None]
        c = (torch.arange(self.output_dim, device=x.device)[:, None, None] * g
             + torch.arange(g, device=x.device)[:, None]) * g + torch.arange(g, device=x.device)
        c = c[None]
        h0, h1 = hs[:, None, :, None], he[:, None, :, None]
        w0, w1 = ws[:, None, None, :], we[:, None, None, :]
        sums = table[b, c, h1, w1] - table[b, c, h0, w1] - table[b, c, h1, w0] + table[b, c, h0, w0]
        area = ((h1 - h0) * (w1 - w0)).double()
        empty = (h1 <= h0) | (w1 <= w0)
        out = torch.where(empty, torch.zeros_like(sums), sums / area.clamp(min=1))
        return out.to(x.dtype)

    def extra_repr(self):
        return "output_dim={}, group_size={}, spatial_scale={}".format(
            self.output_dim, self.group_size, self.spatial_scale)`;
